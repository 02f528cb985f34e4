/**
 * Part of `npm run build`: the console's static files (page, script, styles)
 * are served from beside the compiled controller, so they are copied as they
 * are into dist, where `npm start` and the packed module read them. The
 * script is plain JavaScript, type-checked by its own tsconfig, not compiled.
 */
import { cpSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

const SOURCE = join(__dirname, '..', 'src', 'notifications-admin', 'console', 'assets');
const TARGET = join(__dirname, '..', 'dist', 'src', 'notifications-admin', 'console', 'assets');

export function copyConsoleAssets(): void {
  rmSync(TARGET, { recursive: true, force: true });
  cpSync(SOURCE, TARGET, { recursive: true, filter: (path) => basename(path) !== 'tsconfig.json' });
}

if (require.main === module) {
  copyConsoleAssets();
}
