import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

const STARTUP_TIMEOUT_MS = 60_000;
const OUTPUT_KEPT_BYTES = 8_192;

/**
 * `npm start`'s node arguments (heap settings, entry file), so the bench
 * measures the service exactly as it is started, without npm in between.
 */
function startArguments(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [command, ...args] = start.split(/\s+/);
  if (command !== 'node') {
    throw new Error(`npm start must be "node <args>" for the bench to run it directly, not: ${start}`);
  }
  return args;
}

/**
 * The built service as its own process, so that its memory is its own:
 * peak RSS is the kernel's VmHWM of that process.
 */
export class ServiceProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEPT_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<ServiceProcess> {
    const port = await freePort();
    const inherited = { ...process.env };
    delete inherited.REDIS_URL;
    const child = spawn(process.execPath, [...nodeArgs, ...startArguments()], {
      env: { ...inherited, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`);
    await service.waitUntilServing();
    return service;
  }

  /** Highest resident set size since start or the last `resetPeakRss`, in bytes. */
  peakRss(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    if (!kib) {
      throw new Error('VmHWM missing from /proc/<pid>/status: peak RSS needs Linux');
    }
    return Number(kib) * 1024;
  }

  /**
   * CPU time the service has used, all threads, in ms. On a shared machine
   * this is steadier than throughput: other processes change the wall clock,
   * not the work the service does per request.
   */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    // Fields after "pid (comm) " start at state; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond();
  }

  /** Linux resets VmHWM to the current RSS when 5 is written to clear_refs. */
  resetPeakRss(): void {
    writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
  }

  /** SIGTERM, as an orchestrator stops it: Nest's shutdown hooks run, and --cpu-prof writes its profile. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`the service exited with code ${this.child.exitCode}:\n${this.output}`);
      }
      try {
        // Unknown routes answer 404 once Nest listens, and touch no table.
        const response = await fetch(`${this.baseUrl}/ready`);
        await response.arrayBuffer();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await this.stop();
    throw new Error(`the service did not answer within ${STARTUP_TIMEOUT_MS} ms:\n${this.output}`);
  }
}

let clockTicks: number | undefined;

function clockTicksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return clockTicks;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
