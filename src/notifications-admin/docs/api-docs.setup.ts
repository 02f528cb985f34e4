import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { NotificationsAdminModule } from '../notifications-admin.module';
import { ADMIN_BEARER_SCHEME } from './api-docs.constants';

export const DEFAULT_DOCS_PATH = 'api/docs';

/**
 * The OpenAPI document of this module's routes only, built from the
 * controllers' decorators; a host's other routes are left out.
 */
export function buildNotificationsAdminDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Notifications admin')
    .setDescription(
      'Admin routes of webhook notifications: retrigger stored notifications and read their delivery attempts.',
    )
    .setVersion('1.0.0')
    // addSecurity, not addBearerAuth: the latter labels the token a JWT, and an admin API key is not one.
    .addSecurity(ADMIN_BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'An admin API key, or what the host admin check accepts',
    })
    .build();
  return SwaggerModule.createDocument(app, config, { include: [NotificationsAdminModule] });
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
