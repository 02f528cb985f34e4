import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { NotificationsAdminModule } from '../notifications-admin.module';
import { closeSchemas } from './api-closed-schema.decorator';
import {
  ADMIN_BEARER_SCHEME,
  API_CONTACT,
  API_LICENSE,
  API_SERVER,
  NOTIFICATIONS_ADMIN_TAG,
  NOTIFICATIONS_ADMIN_TAG_DESCRIPTION,
} from './api-docs.constants';

export const DEFAULT_DOCS_PATH = 'api/docs';

/** OpenAPI 3.1: nullable as `type: [x, 'null']`, `const`, and the license's SPDX `identifier`. */
export const OPENAPI_VERSION = '3.1.0';

/**
 * The OpenAPI document of this module's routes only, built from the
 * controllers' decorators; a host's other routes are left out. It is the
 * document committed as docs/openapi.yaml (`npm run openapi` writes it).
 */
export function buildNotificationsAdminDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('Notifications admin')
    .setDescription(
      'Admin routes of webhook notifications: retrigger stored notifications and read their delivery attempts.',
    )
    .setVersion('1.0.0')
    .addServer(API_SERVER.url, API_SERVER.description, API_SERVER.variables)
    .addTag(NOTIFICATIONS_ADMIN_TAG, NOTIFICATIONS_ADMIN_TAG_DESCRIPTION)
    // addSecurity, not addBearerAuth: the latter labels the token a JWT, and an admin API key is not one.
    .addSecurity(ADMIN_BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'An admin API key, or what the host admin check accepts',
    })
    .build();
  // DocumentBuilder.setLicense/setContact take every field, the license without 3.1's `identifier`.
  config.info = { ...config.info, contact: API_CONTACT, license: API_LICENSE };
  const document = SwaggerModule.createDocument(app, config, { include: [NotificationsAdminModule] });
  closeSchemas(document);
  return document;
}

/**
 * Serves the document without credentials: Swagger UI at `/<path>` and the
 * JSON at `/<path>-json`. Call before `listen()`; a host may pick its own path.
 */
export function setupNotificationsAdminDocs(app: INestApplication, path = DEFAULT_DOCS_PATH): OpenAPIObject {
  const document = buildNotificationsAdminDocument(app);
  SwaggerModule.setup(path, app, document, { jsonDocumentUrl: `${path}-json`, raw: ['json'] });
  return document;
}
