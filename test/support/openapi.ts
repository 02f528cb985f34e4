import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The contract's OpenAPI document, as committed in docs/. */
export const OPENAPI_DOCUMENT = parse(readFileSync(join(process.cwd(), 'docs', 'openapi.yaml'), 'utf8'));

export interface SpecOperation {
  path: string;
  method: 'get' | 'post';
}

const RETRIGGER: SpecOperation = {
  path: '/api/notifications/v1/admin/webhooks/{webhookId}/notifications/retrigger',
  method: 'post',
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: OPENAPI_DOCUMENT.components });

function rewriteRefs(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
}

const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** Throws with the schema errors when `body` is not a valid `status` answer of the operation (by default the retrigger). */
export function assertMatchesSpec(status: number, body: unknown, { path, method }: SpecOperation = RETRIGGER): void {
  const key = `${method} ${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const schema =
      OPENAPI_DOCUMENT.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) {
      throw new Error(`the spec has no ${status} answer`);
    }
    validate = ajv.compile(rewriteRefs(schema) as object);
    validators.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(
      `${status} answer does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
    );
  }
}
