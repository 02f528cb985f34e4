import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

/** The page, then the files it loads by name from `console/<name>`. */
export const CONSOLE_PAGE = 'console.html';
const ASSET_TYPES: Readonly<Record<string, string>> = {
  [CONSOLE_PAGE]: 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * The console's static files, shipped in the package beside this file
 * (`assets/`, copied into dist by the build) and read once at start, so a
 * request never touches the file system and no path from a URL ever reaches
 * it: only the names above are served.
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  static readonly directory = join(__dirname, 'assets');
  private readonly assets = new Map<string, ConsoleAsset>();

  constructor(@Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig) {}

  get enabled(): boolean {
    return this.config.console;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) {
      return;
    }
    // A missing file stops the start here rather than surfacing as a broken page later.
    for (const [name, contentType] of Object.entries(ASSET_TYPES)) {
      const body = await readFile(join(ConsoleAssets.directory, name)).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`Admin console asset ${name} is missing from ${ConsoleAssets.directory} (${error.code})`);
      });
      this.assets.set(name, { body, contentType });
    }
  }

  /** The named file, or undefined when the console is off or serves no such file. */
  find(name: string): ConsoleAsset | undefined {
    return this.assets.get(name);
  }
}
