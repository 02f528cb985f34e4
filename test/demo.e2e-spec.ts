import { ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { closedPort } from './support/receivers';
import { testDatabaseUrl } from './support/test-app';

jest.setTimeout(240_000);

const run = promisify(execFile);

/** `npm run demo` as a new user runs it: one command, one process to stop. */
describe('npm run demo', () => {
  let demo: ChildProcess;
  let output = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let port: number;

  const waitForOutput = async (matches: (text: string) => boolean, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!matches(output)) {
      if (Date.now() > deadline || demo.exitCode !== null) {
        throw new Error(`demo output did not show what was expected:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    port = await closedPort();
    demo = spawn('npm', ['run', 'demo'], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: testDatabaseUrl() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => demo.on('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [demo.stdout!, demo.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (output += chunk));
    }
  });

  afterAll(async () => {
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      await exited;
    }
  });

  it('seeds, starts the service, and prints a curl command that retriggers all three as printed', async () => {
    await waitForOutput((text) => text.includes('Ctrl-C stops'), 200_000);
    const lines = output.split('\n');
    const first = lines.findIndex((line) => line.trimStart().startsWith('curl '));
    expect(first).toBeGreaterThan(-1);
    let last = first;
    while (lines[last].endsWith('\\')) {
      last += 1;
    }
    const command = lines.slice(first, last + 1).join('\n');
    expect(command).toContain(`http://localhost:${port}/`);

    const { stdout } = await run('bash', ['-c', command]);

    expect(JSON.parse(stdout)).toMatchObject({ totalRequested: 3, totalSuccess: 3, totalFailed: 0 });
    // Each delivery shows up as the receiver gets it, its original signature verified.
    await waitForOutput((text) => (text.match(/\[receiver\] POST .* signature VALID/g) ?? []).length === 3, 10_000);
  });

  it('stops the service and the receiver on SIGTERM, and exits 0', async () => {
    demo.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    expect(output).toContain('Demo stopped.');
  });
});
