import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

const ASSETS_DIRECTORY = join(__dirname, 'assets');
/** The files the page loads by name from `console/<name>`. */
const FILE_TYPES: Readonly<Record<string, string>> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * The console's static files, shipped in the package beside this file
 * (`assets/`, copied into dist by the build) and read once at start, so a
 * request never touches the file system and no path from a URL ever reaches
 * it: only the page and the files named above are served.
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  private pageAsset?: ConsoleAsset;
  private readonly files = new Map<string, ConsoleAsset>();

  constructor(@Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.console) {
      return;
    }
    this.pageAsset = await load('console.html', 'text/html; charset=utf-8');
    for (const [name, contentType] of Object.entries(FILE_TYPES)) {
      this.files.set(name, await load(name, contentType));
    }
  }

  /** The page, or undefined when the console is off. */
  page(): ConsoleAsset | undefined {
    return this.pageAsset;
  }

  /** The named file the page loads, or undefined when the console is off or serves no such file. */
  file(name: string): ConsoleAsset | undefined {
    return this.files.get(name);
  }
}

/** A missing file stops the start here rather than surfacing as a broken page later. */
async function load(name: string, contentType: string): Promise<ConsoleAsset> {
  const body = await readFile(join(ASSETS_DIRECTORY, name)).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Admin console asset ${name} is missing from ${ASSETS_DIRECTORY} (${error.code})`);
  });
  return { body, contentType };
}
