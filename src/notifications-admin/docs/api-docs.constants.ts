/** The security scheme name of the spec (`components.securitySchemes.adminBearer`). */
export const ADMIN_BEARER_SCHEME = 'adminBearer';

export const NOTIFICATIONS_ADMIN_TAG = 'notifications-admin';
