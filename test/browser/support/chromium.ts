import { existsSync } from 'node:fs';
import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core downloads no browser of its own. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * A headless Chromium that reaches nothing but what the page asks for: no
 * sync, updates, QUIC or background calls of its own. `launch()` gives it a
 * fresh temporary user-data-dir, removed when it closes.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that a user would notice, or should never happen: collected for the test to assert. */
export interface PageWatch {
  /** Console errors and uncaught exceptions, with where they came from. */
  errors: { text: string; url: string }[];
  /** Every URL the page requested. */
  requests: string[];
  /** Every alert, confirm or prompt that opened (each dismissed). */
  dialogs: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errors: [], requests: [], dialogs: [] };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') {
      watch.errors.push({ text: message.text(), url: message.location().url });
    }
  });
  page.on('pageerror', (error) => watch.errors.push({ text: `uncaught: ${error.message}`, url: page.url() }));
  page.on('request', (request) => watch.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return watch;
}
