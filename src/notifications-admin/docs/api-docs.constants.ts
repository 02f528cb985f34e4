/** The security scheme name of the spec (`components.securitySchemes.adminBearer`). */
export const ADMIN_BEARER_SCHEME = 'adminBearer';

export const NOTIFICATIONS_ADMIN_TAG = 'notifications-admin';
export const NOTIFICATIONS_ADMIN_TAG_DESCRIPTION =
  'Admin routes of webhook notifications: retrigger stored notifications and read what was sent.';

/**
 * The routes' paths are absolute, so the server is only an origin: a
 * variable whose default is the standalone service (`npm start`) on its
 * default PORT, for the deployment's own to replace.
 */
export const API_SERVER = {
  url: '{origin}',
  description: 'The service, or the host platform that mounts the module',
  variables: {
    origin: { default: 'http://localhost:3000', description: 'Scheme, host and port, without a trailing slash' },
  },
};

/** package.json's license (and LICENSE), which a test keeps the same, with its SPDX identifier. */
export const API_LICENSE = { name: 'MIT', identifier: 'MIT' };

export const API_CONTACT = { name: 'notifications-admin maintainers' };
