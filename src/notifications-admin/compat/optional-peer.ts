/**
 * Loads a peer dependency that only an optional part of the module needs
 * (`ioredis` for `redisUrl`), so hosts that do not use that part need not
 * install it. When it is missing, the start fails with one line saying what
 * to install, instead of a bare "Cannot find module".
 */
export function requireOptionalPeer<T>(name: string, neededFor: string): T {
  try {
    // A plain require, on purpose: a static import would make the peer mandatory for every host.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String(error).includes(`'${name}'`)) {
      throw new Error(`${neededFor} needs the optional peer dependency ${name}: npm install ${name}`, {
        cause: error,
      });
    }
    throw error;
  }
}
