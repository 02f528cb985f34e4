/**
 * `npm run openapi`: writes docs/openapi.yaml from the code, the document
 * the service serves at /api/docs-json. Run it after changing a route or a
 * DTO and review the diff: test/api-docs.e2e-spec.ts fails until the two
 * are the same.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { buildDataSourceOptions } from '../src/config/data-source-options';
import { buildNotificationsAdminDocument } from '../src/notifications-admin/docs/api-docs.setup';
import { NotificationsAdminModule } from '../src/notifications-admin/notifications-admin.module';

const OPENAPI_YAML_PATH = 'docs/openapi.yaml';

const HEADER = `# The admin API of notifications-admin, exactly as the service serves it at
# /api/docs-json. Written from the code by \`npm run openapi\`: do not edit by
# hand. test/api-docs.e2e-spec.ts fails when the two differ.
# The retrigger route is the shared spec's endpoint, stricter where the seed
# says it in prose (every item key present, ids as UUIDs, Retry-After): an
# answer valid here is valid there.
`;

/** Top-level keys in the order a reader looks for them; @nestjs/swagger puts paths first. */
const TOP_LEVEL_ORDER = ['openapi', 'info', 'servers', 'tags', 'paths', 'components'];

/** The module on an empty in-memory database: enough for Nest to know every route. */
@Module({
  imports: [
    TypeOrmModule.forRoot(buildDataSourceOptions('sqlite::memory:')),
    NotificationsAdminModule.forRoot({ adminApiKeys: ['openapi-document-only'] }),
  ],
})
class DocumentModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(DocumentModule, { logger: ['error'] });
  try {
    const document = buildNotificationsAdminDocument(app) as unknown as Record<string, unknown>;
    const ordered = Object.fromEntries(
      [...TOP_LEVEL_ORDER, ...Object.keys(document)]
        .filter((key) => key in document)
        .map((key) => [key, document[key]]),
    );
    const text = HEADER + stringify(ordered, { aliasDuplicateObjects: false });
    const yaml = await format(text, { ...(await resolveConfig(OPENAPI_YAML_PATH)), parser: 'yaml' });
    writeFileSync(OPENAPI_YAML_PATH, yaml);
    console.log(`wrote ${OPENAPI_YAML_PATH}`);
  } finally {
    await app.close();
  }
}

void main();
