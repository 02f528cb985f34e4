import { execFileSync } from 'node:child_process';
import { copyConsoleAssets } from '../../scripts/copy-console-assets';

/**
 * The operability specs run the service as `npm start` does, from dist/. A
 * clean clone only runs `npm test`, so build first; tsc is incremental, so a
 * build that is up to date costs a few seconds. The console's files are
 * copied as `npm run build` does.
 */
export default function buildService(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  copyConsoleAssets();
}
