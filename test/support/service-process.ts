import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/config/data-source-options';
import { closedPort } from './receivers';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What a log line on stdout must be: one JSON object. */
export type LogLine = Record<string, unknown>;

/**
 * The built service (`node dist/src/main.js`, as `npm start` runs it) in a
 * child process on a free loopback port, its stdout kept line by line.
 */
export class ServiceProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<Exit>;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    collectLines(child.stdout!, this.stdout, () => this.waiters.forEach((wake) => wake()));
    collectLines(child.stderr!, this.stderr, () => undefined);
  }

  /** Starts the service and resolves once it listens. `env` is all it gets besides PATH. */
  static async start(env: Record<string, string | undefined>): Promise<ServiceProcess> {
    const port = await closedPort();
    const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'src', 'main.js')], {
      env: { PATH: process.env.PATH, PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`);
    await service.waitUntilListening(30_000);
    return service;
  }

  /** Nest logs that it started just before it listens: the liveness probe says when it does. */
  private async waitUntilListening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.child.exitCode === null && Date.now() < deadline) {
      try {
        if ((await fetch(`${this.baseUrl}/health/live`)).ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`service did not start\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`);
  }

  /** Every stdout line parsed; throws on the first that is not a JSON object. */
  logLines(): LogLine[] {
    return this.stdout.map((text) => {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error(`log line is not a JSON object: ${text}`);
      }
      return parsed as LogLine;
    });
  }

  /** Resolves with the first log line that matches, waiting for it if need be. */
  waitForLog(matches: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.logLines().find(matches);
        if (found) {
          finish();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `no matching log line within ${timeoutMs} ms\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`,
          ),
        );
      }, timeoutMs);
      const onExit = () => {
        finish();
        reject(new Error(`service exited\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`));
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        this.child.off('exit', onExit);
      };
      this.waiters.add(check);
      this.child.once('exit', onExit);
      check();
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it does not exit in time; for cleanup after a failed test. */
  async stop(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      const exit = await this.exited;
      clearTimeout(timer);
      return exit;
    }
    return this.exited;
  }
}

function collectLines(stream: NodeJS.ReadableStream, lines: string[], onLine: () => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      lines.push(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    onLine();
  });
}

/** A connection of the test's own to the database the service uses, for seeding and checking rows. */
export async function openDatabase(databaseUrl: string): Promise<DataSource> {
  const dataSource = new DataSource(buildDataSourceOptions(databaseUrl));
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}
