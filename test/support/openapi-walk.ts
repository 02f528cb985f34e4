/**
 * Walks a parsed OpenAPI 3.1 document, so that rules can be checked on every
 * route and schema, new ones included. operationsOf and jsonSchemaOf read 3.0
 * as well (openapi-shape.ts uses them on both).
 */
export type Schema = Record<string, unknown>;
export interface Operation {
  /** `POST /api/...`, for messages. */
  name: string;
  operation: Schema;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMAS = ['items', 'not', 'additionalProperties', 'contains'];

export function operationsOf(document: Schema): Operation[] {
  return Object.entries(document.paths as Record<string, Record<string, Schema>>).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      name: `${method.toUpperCase()} ${path}`,
      operation: item[method],
    })),
  );
}

export function resolveRef(document: Schema, schema: Schema): Schema {
  if (typeof schema.$ref !== 'string') {
    return schema;
  }
  const [, , , name] = schema.$ref.split('/');
  const target = (document.components as { schemas: Record<string, Schema> }).schemas[name];
  if (!target) {
    throw new Error(`unresolved ${schema.$ref}`);
  }
  return target;
}

/**
 * Every schema reachable from `root` (itself included), `$ref`s followed,
 * each once, with a path that says where it was met.
 */
export function reachableSchemas(document: Schema, root: Schema, where: string): [string, Schema][] {
  const seen = new Set<Schema>();
  const found: [string, Schema][] = [];
  const visit = (schema: Schema, path: string): void => {
    const resolved = resolveRef(document, schema);
    const label = resolved === schema ? path : `${path} (${String(schema.$ref).split('/').pop()})`;
    if (seen.has(resolved)) {
      return;
    }
    seen.add(resolved);
    found.push([label, resolved]);
    for (const [name, property] of Object.entries((resolved.properties ?? {}) as Record<string, Schema>)) {
      visit(property, `${label}.${name}`);
    }
    for (const key of SUBSCHEMAS) {
      const child = resolved[key];
      if (child && typeof child === 'object') {
        visit(child as Schema, `${label}.${key}`);
      }
    }
    for (const key of SUBSCHEMA_LISTS) {
      ((resolved[key] ?? []) as Schema[]).forEach((child, index) => visit(child, `${label}.${key}[${index}]`));
    }
  };
  visit(root, where);
  return found;
}

export function jsonSchemaOf(holder: Schema): Schema | undefined {
  return (holder.content as Record<string, { schema?: Schema }> | undefined)?.['application/json']?.schema;
}

/** Every schema of the document: components, parameters, request bodies, response bodies and headers. */
export function everySchema(document: Schema): [string, Schema][] {
  const roots: [string, Schema][] = Object.entries(
    (document.components as { schemas?: Record<string, Schema> }).schemas ?? {},
  );
  for (const { name, operation } of operationsOf(document)) {
    for (const parameter of (operation.parameters ?? []) as Schema[]) {
      roots.push([`${name} parameter ${String(parameter.name)}`, parameter.schema as Schema]);
    }
    const body = operation.requestBody ? jsonSchemaOf(operation.requestBody as Schema) : undefined;
    if (body) {
      roots.push([`${name} request body`, body]);
    }
    for (const [status, response] of Object.entries(operation.responses as Record<string, Schema>)) {
      const schema = jsonSchemaOf(response);
      if (schema) {
        roots.push([`${name} ${status}`, schema]);
      }
      for (const [header, definition] of Object.entries((response.headers ?? {}) as Record<string, Schema>)) {
        roots.push([`${name} ${status} header ${header}`, definition.schema as Schema]);
      }
    }
  }
  return roots.flatMap(([where, schema]) => reachableSchemas(document, schema, where));
}
