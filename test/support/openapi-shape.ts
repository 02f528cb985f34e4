import { jsonSchemaOf, operationsOf, Schema } from './openapi-walk';

/**
 * What two OpenAPI documents must agree on, keyword by keyword, whatever
 * their version and layout: the version, info (title, version, license),
 * servers, global tags and schema names; per operation its id, tags,
 * security, parameters, request body and, per status, the response headers
 * and schema, with `$ref`s resolved (their names kept) and `allOf`s merged.
 * Per schema: type, enum/const, format, lengths, pattern, bounds, default,
 * required, additionalProperties, properties and items. OpenAPI 3.0's
 * `nullable` and 3.1's `type: [x, 'null']` read the same, as do `const: x`
 * and `enum: [x]`. Descriptions and examples are left out.
 */
type Document = {
  openapi: string;
  info?: Schema;
  servers?: Schema[];
  tags?: Schema[];
  paths: Record<string, Record<string, Schema>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, Schema> };
};

const COMPARED_KEYWORDS = [
  'format',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'default',
] as const;
const SCHEMA_REF = '#/components/schemas/';

/** `document` is a parsed OpenAPI document (3.0 or 3.1). */
export function documentShape(parsed: object) {
  const document = parsed as Document;
  const operations: Record<string, unknown> = {};
  for (const { name, operation } of operationsOf(parsed as Schema)) {
    operations[name] = operationShape(document, operation);
  }
  const securitySchemes = Object.fromEntries(
    Object.entries(document.components?.securitySchemes ?? {}).map(([name, scheme]) => [
      name,
      { type: scheme.type, scheme: scheme.scheme },
    ]),
  );
  const license = document.info?.license as Schema | undefined;
  return {
    openapi: document.openapi,
    info: {
      title: document.info?.title,
      version: document.info?.version,
      license: license && { name: license.name, identifier: license.identifier, url: license.url },
    },
    servers: (document.servers ?? []).map((server) => ({
      url: server.url,
      variables: Object.fromEntries(
        Object.entries((server.variables ?? {}) as Record<string, Schema>).map(([name, variable]) => [
          name,
          { default: variable.default, enum: variable.enum },
        ]),
      ),
    })),
    tags: (document.tags ?? []).map((tag) => tag.name),
    schemaNames: Object.keys(document.components?.schemas ?? {}).sort(),
    operations,
    securitySchemes,
  };
}

function operationShape(document: Document, operation: Schema) {
  const parameters = ((operation.parameters ?? []) as Schema[])
    .map((parameter) => ({
      in: String(parameter.in),
      name: String(parameter.name).toLowerCase(),
      required: parameter.required === true,
      schema: schemaShape(document, parameter.schema as Schema),
    }))
    .sort((a, b) => `${a.in} ${a.name}`.localeCompare(`${b.in} ${b.name}`));
  const body = operation.requestBody as Schema | undefined;
  const responses = Object.fromEntries(
    Object.entries(operation.responses as Record<string, Schema>).map(([status, response]) => [
      status,
      { headers: headersShape(document, response), schema: schemaShape(document, jsonSchemaOf(response)) },
    ]),
  );
  return {
    operationId: operation.operationId,
    tags: [...((operation.tags ?? []) as string[])].sort(),
    security: ((operation.security ?? []) as Schema[]).flatMap((requirement) => Object.keys(requirement)).sort(),
    parameters,
    requestBody: body ? { required: body.required === true, schema: schemaShape(document, jsonSchemaOf(body)) } : null,
    responses,
  };
}

/** Header names compared without regard to case, as HTTP reads them. */
function headersShape(document: Document, response: Schema) {
  return Object.fromEntries(
    Object.entries((response.headers ?? {}) as Record<string, Schema>)
      .map(([name, header]): [string, Schema] => [
        name.toLowerCase(),
        { required: header.required === true, schema: schemaShape(document, header.schema as Schema) },
      ])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

function schemaShape(document: Document, schema: Schema | undefined): Schema | null {
  if (!schema) {
    return null;
  }
  const resolved = resolve(document, schema);
  const shape: Schema = {};
  if (typeof schema.$ref === 'string') {
    shape.ref = schema.$ref.replace(SCHEMA_REF, '');
  }
  if (resolved.refs) {
    shape.refs = resolved.refs;
  }
  const types = typesOf(resolved);
  if (types.length > 0) {
    shape.type = types;
  }
  const values = valuesOf(resolved);
  if (values) {
    shape.enum = [...values].map(String).sort();
  }
  for (const keyword of COMPARED_KEYWORDS) {
    if (resolved[keyword] !== undefined) {
      shape[keyword] = resolved[keyword];
    }
  }
  if (resolved.required) {
    shape.required = [...(resolved.required as string[])].sort();
  }
  if (resolved.additionalProperties !== undefined) {
    shape.additionalProperties =
      typeof resolved.additionalProperties === 'boolean'
        ? resolved.additionalProperties
        : schemaShape(document, resolved.additionalProperties as Schema);
  }
  if (resolved.properties) {
    shape.properties = Object.fromEntries(
      Object.entries(resolved.properties as Record<string, Schema>).map(([name, property]) => [
        name,
        schemaShape(document, property),
      ]),
    );
  }
  if (resolved.items) {
    shape.items = schemaShape(document, resolved.items as Schema);
  }
  if (Array.isArray(resolved.anyOf)) {
    shape.anyOf = (resolved.anyOf as Schema[]).map((member) => schemaShape(document, member));
  }
  return shape;
}

/**
 * Follows `$ref`s and folds `allOf` into one schema, later parts refining
 * earlier ones property by property; the names of the parts' `$ref`s are
 * kept as `refs`.
 */
function resolve(document: Document, schema: Schema): Schema {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(SCHEMA_REF, '');
    const target = document.components?.schemas?.[name];
    if (!target) {
      throw new Error(`unresolved $ref ${schema.$ref}`);
    }
    return resolve(document, target);
  }
  if (!Array.isArray(schema.allOf)) {
    return schema;
  }
  const { allOf, ...rest } = schema;
  const parts = allOf as Schema[];
  const refs = parts.flatMap((part) => (typeof part.$ref === 'string' ? [part.$ref.replace(SCHEMA_REF, '')] : []));
  const merged = parts.map((part) => resolve(document, part)).reduce(merge, rest);
  return refs.length > 0 ? { ...merged, refs } : merged;
}

/** Both schemas hold: properties merge, `required` adds up, allowed values intersect. */
function merge(into: Schema, part: Schema): Schema {
  const properties: Record<string, Schema> = { ...(into.properties as Record<string, Schema> | undefined) };
  for (const [name, property] of Object.entries((part.properties ?? {}) as Record<string, Schema>)) {
    properties[name] = { ...properties[name], ...property };
  }
  const required = [...new Set([...((into.required as string[]) ?? []), ...((part.required as string[]) ?? [])])];
  const merged: Schema = { ...into, ...part, properties, ...(required.length > 0 ? { required } : {}) };
  const [intoValues, partValues] = [valuesOf(into), valuesOf(part)];
  if (intoValues && partValues) {
    delete merged.const;
    merged.enum = intoValues.filter((value) => partValues.includes(value));
  }
  return merged;
}

function valuesOf(schema: Schema): unknown[] | undefined {
  return 'const' in schema ? [schema.const] : (schema.enum as unknown[] | undefined);
}

function typesOf(schema: Schema): string[] {
  const declared = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const types = new Set(declared.map(String));
  if (schema.nullable === true) {
    types.add('null');
  }
  return [...types].sort();
}
