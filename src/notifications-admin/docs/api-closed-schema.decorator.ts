import { ApiSchema } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';

/** Names of the schemas whose answers carry exactly their documented properties. */
const closedSchemaNames = new Set<string>();

/**
 * `@ApiSchema` for an answer that never carries more than its documented
 * properties: the document says `additionalProperties: false`, which
 * @nestjs/swagger cannot write from a class.
 */
export function ApiClosedSchema(options: { name: string; description?: string }): ClassDecorator {
  closedSchemaNames.add(options.name);
  return ApiSchema(options);
}

/** Marks the closed schemas of a built document; called once by the document builder. */
export function closeSchemas(document: OpenAPIObject): void {
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (closedSchemaNames.has(name) && !('$ref' in schema)) {
      schema.additionalProperties = false;
    }
  }
}
