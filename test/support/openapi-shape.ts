/**
 * What two OpenAPI documents must agree on, whatever their version and
 * layout: per operation its id, security, parameters, request body and, per
 * status, the response schema with `$ref`s resolved and `allOf`s merged.
 * OpenAPI 3.0's `nullable` and 3.1's `type: [x, 'null']` read the same, as do
 * `const: x` and `enum: [x]`. Descriptions and examples are left out.
 */
type Schema = Record<string, unknown>;
type Document = {
  paths: Record<string, Record<string, Schema>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, Schema> };
};

const COMPARED_KEYWORDS = ['format', 'minItems', 'maxItems', 'uniqueItems', 'minimum', 'maximum', 'default'] as const;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

/** `document` is a parsed OpenAPI document (3.0 or 3.1). */
export function documentShape(parsed: object) {
  const document = parsed as Document;
  const operations: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS.filter((name) => item[name])) {
      operations[`${method.toUpperCase()} ${path}`] = operationShape(document, item[method]);
    }
  }
  const securitySchemes = Object.fromEntries(
    Object.entries(document.components?.securitySchemes ?? {}).map(([name, scheme]) => [
      name,
      { type: scheme.type, scheme: scheme.scheme },
    ]),
  );
  return { operations, securitySchemes };
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
      schemaShape(document, jsonSchemaOf(response)),
    ]),
  );
  return {
    operationId: operation.operationId,
    security: ((operation.security ?? []) as Schema[]).flatMap((requirement) => Object.keys(requirement)).sort(),
    parameters,
    requestBody: body ? { required: body.required === true, schema: schemaShape(document, jsonSchemaOf(body)) } : null,
    responses,
  };
}

function jsonSchemaOf(holder: Schema): Schema | undefined {
  return (holder.content as Record<string, { schema?: Schema }> | undefined)?.['application/json']?.schema;
}

function schemaShape(document: Document, schema: Schema | undefined): Schema | null {
  if (!schema) {
    return null;
  }
  const resolved = resolve(document, schema);
  const shape: Schema = {};
  const types = typesOf(resolved);
  if (types.length > 0) {
    shape.type = types;
  }
  const values = 'const' in resolved ? [resolved.const] : (resolved.enum as unknown[] | undefined);
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
  return shape;
}

/** Follows `$ref`s and folds `allOf` into one schema, later parts refining earlier ones property by property. */
function resolve(document: Document, schema: Schema): Schema {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
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
  return (allOf as Schema[]).map((part) => resolve(document, part)).reduce(merge, rest);
}

function merge(into: Schema, part: Schema): Schema {
  const properties: Record<string, Schema> = { ...(into.properties as Record<string, Schema> | undefined) };
  for (const [name, property] of Object.entries((part.properties ?? {}) as Record<string, Schema>)) {
    properties[name] = { ...properties[name], ...property };
  }
  const required = [...new Set([...((into.required as string[]) ?? []), ...((part.required as string[]) ?? [])])];
  return { ...into, ...part, properties, ...(required.length > 0 ? { required } : {}) };
}

function typesOf(schema: Schema): string[] {
  const declared = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const types = new Set(declared.map(String));
  if (schema.nullable === true) {
    types.add('null');
  }
  return [...types].sort();
}
