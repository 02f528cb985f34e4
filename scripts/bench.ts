/**
 * `npm run bench`: the retrigger endpoint under load, against PostgreSQL.
 *
 * Starts the built service as a child process (its peak RSS is its own),
 * between it and PostgreSQL a loopback proxy that counts SQL statements on
 * the wire, loopback webhook receivers in this process, and drives the
 * endpoint with autocannon at a fixed concurrency: 1 id and 25 ids per
 * request, then 25 ids one request at a time to receivers that wait 200 ms.
 * Then the notification list: the first page of 50 failed notifications of
 * one of 100 webhooks holding 200,000 notifications between them.
 *
 *   BENCH_DATABASE_URL  PostgreSQL to run against (default postgres://postgres@127.0.0.1:5432/test)
 *   --json              one JSON document on stdout instead of the table
 *   --connections=N     concurrent requests in the throughput phases (default 10)
 *   --duration=S        seconds per throughput phase (default 10), after --warmup=S (default 3)
 *   --slow-requests=N   requests in the 200 ms phase (default 20)
 *   --payload-bytes=N   size of each stored payload (default 1024)
 *   --cpu-prof          run the service under `node --cpu-prof` and print its top self-time functions
 *   --list-notifications=N  notifications seeded for the listing phase (default 200000, over 100 webhooks)
 *   --phases=P          comma-separated: retrigger, list (default both)
 */
import autocannon from 'autocannon';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/config/data-source-options';
import { IdGroup, removeGroups, seedGroups, seedListing } from './bench/bench.seed';
import { summarizeCpuProfile } from './bench/cpu-profile.summary';
import { DEFAULT_DATABASE_URL, LIST_NOTIFICATIONS, LIST_PAGE, LIST_WEBHOOKS, runAutocannon } from './bench/list-phase';
import { LoopbackReceivers } from './bench/loopback.receivers';
import { ServiceProcess } from './bench/service.process';
import { StatementCountingProxy } from './bench/statement-counting.proxy';

const API_KEY = 'bench-admin-key';
const SLOW_RECEIVER_MS = 200;
/** No wait is longer than this; a stuck phase fails the bench instead of hanging it. */
const RUN_TIMEOUT_S = 120;
const PROFILE_DIR = 'bench-profiles';

interface Options {
  json: boolean;
  connections: number;
  durationS: number;
  warmupS: number;
  slowRequests: number;
  payloadBytes: number;
  cpuProf: boolean;
  listNotifications: number;
  phases: ReadonlySet<string>;
}

interface Scenario {
  name: string;
  ids: number;
  connections: number;
  receiverDelayMs: number;
  /** Either a duration or a request count bounds the measured run. */
  bound: { durationS: number } | { requests: number };
}

interface PhaseResult {
  name: string;
  ids: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  sqlPerRequest: number;
  sendsPerSecond: number;
  /** The service's CPU time (user + system, all threads) per request. */
  cpuMsPerRequest: number;
  peakRssMb: number;
  /** Non-200 answers, transport errors, timeouts and items that were not delivered. */
  errors: number;
  floorMs?: number;
}

interface Bench {
  service: ServiceProcess;
  proxy: StatementCountingProxy;
  receivers: LoopbackReceivers;
  dataSource: DataSource;
  seeded: IdGroup[];
}

async function main(): Promise<void> {
  const options = parseOptions();
  const databaseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
  const target = new URL(databaseUrl);
  if (!/^postgres(ql)?:$/.test(target.protocol)) {
    throw new Error('BENCH_DATABASE_URL must be a postgres:// URL');
  }
  const scenarios: Scenario[] = [
    {
      name: '1 id',
      ids: 1,
      connections: options.connections,
      receiverDelayMs: 0,
      bound: { durationS: options.durationS },
    },
    {
      name: '25 ids',
      ids: 25,
      connections: options.connections,
      receiverDelayMs: 0,
      bound: { durationS: options.durationS },
    },
    {
      name: `25 ids, receivers wait ${SLOW_RECEIVER_MS} ms`,
      ids: 25,
      connections: 1,
      receiverDelayMs: SLOW_RECEIVER_MS,
      bound: { requests: options.slowRequests },
    },
  ];

  const proxy = await StatementCountingProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  const receivers = await LoopbackReceivers.start(options.connections);
  // The bench's own connection (seeding, cleanup) has no statement timeout: 200,000 rows take a while on a busy machine.
  const dataSource = await new DataSource(buildDataSourceOptions(databaseUrl, 'migrations')).initialize();
  const machine = await describeMachine(dataSource);
  const serviceUrl = new URL(databaseUrl);
  serviceUrl.hostname = '127.0.0.1';
  serviceUrl.port = String(proxy.port);
  const profileDir = resolve(PROFILE_DIR);
  if (options.cpuProf) {
    mkdirSync(profileDir, { recursive: true });
  }
  progress(`starting the service against ${target.host}${target.pathname}`);
  const service = await ServiceProcess.start(
    {
      ADMIN_API_KEYS: API_KEY,
      DATABASE_URL: serviceUrl.toString(),
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      RETRIGGER_RATE_LIMIT: '1000000000',
    },
    options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  const bench: Bench = { service, proxy, receivers, dataSource, seeded: [] };
  const startedAt = Date.now();
  try {
    const startupPeakRss = service.peakRss();
    const results: PhaseResult[] = [];
    for (const scenario of options.phases.has('retrigger') ? scenarios : []) {
      results.push(await runScenario(bench, scenario, options));
    }
    if (options.phases.has('list')) {
      results.push(await runListing(bench, options));
    }
    const report = {
      machine,
      settings: {
        connections: options.connections,
        durationS: options.durationS,
        warmupS: options.warmupS,
        payloadBytes: options.payloadBytes,
      },
      phases: results,
      peakRssMb: toMb(Math.max(startupPeakRss, ...results.map((result) => result.peakRssMb * 1024 * 1024))),
    };
    await service.stop();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      printTable(report.machine, results, report.peakRssMb, options);
    }
    if (options.cpuProf) {
      printProfile(newestProfile(profileDir, startedAt));
    }
  } finally {
    await service.stop();
    await removeGroups(dataSource, bench.seeded).catch((error: Error) => progress(`cleanup failed: ${error.message}`));
    await dataSource.destroy();
    await receivers.close();
    await proxy.close();
  }
}

async function runScenario(bench: Bench, scenario: Scenario, options: Options): Promise<PhaseResult> {
  progress(`${scenario.name}: seeding`);
  // Twice the concurrency, so a request that autocannon gave up on never blocks a group another request needs.
  const groups = await seedGroups(bench.dataSource, {
    groups: scenario.connections * 2,
    idsPerGroup: scenario.ids,
    payloadBytes: options.payloadBytes,
    receiverUrls: bench.receivers.urls,
  });
  bench.seeded.push(...groups);
  bench.receivers.delayMs = scenario.receiverDelayMs;

  progress(`${scenario.name}: warming up`);
  await drive(bench, scenario, groups, { durationS: options.warmupS });
  await waitUntilIdle(bench.proxy);

  progress(`${scenario.name}: measuring`);
  bench.service.resetPeakRss();
  const statementsBefore = bench.proxy.statements;
  const receivedBefore = bench.receivers.received;
  const cpuMsBefore = bench.service.cpuMs();
  const run = await drive(bench, scenario, groups, scenario.bound);
  const sends = bench.receivers.received - receivedBefore;
  await waitUntilIdle(bench.proxy);
  const statements = bench.proxy.statements - statementsBefore;
  const cpuMs = bench.service.cpuMs() - cpuMsBefore;
  const peakRss = bench.service.peakRss();

  const { result } = run;
  return {
    name: scenario.name,
    ids: scenario.ids,
    connections: scenario.connections,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / result.duration, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    // Every request sent was handled, including those in flight when the run ended.
    sqlPerRequest: round(statements / result.requests.sent, 2),
    sendsPerSecond: round(sends / result.duration, 0),
    cpuMsPerRequest: round(cpuMs / result.requests.sent, 2),
    peakRssMb: toMb(peakRss),
    errors: result.non2xx + result.errors + result.timeouts + run.undeliveredItems,
    ...(scenario.receiverDelayMs > 0 ? { floorMs: scenario.receiverDelayMs } : {}),
  };
}

/**
 * GET the first page of failed notifications, each request for the next of
 * the seeded webhooks in turn. No sends: sends/s stays 0.
 */
async function runListing(bench: Bench, options: Options): Promise<PhaseResult> {
  const name = `list ${LIST_PAGE} failed of ${options.listNotifications.toLocaleString('en')}`;
  progress(`${name}: seeding`);
  const webhooks = await seedListing(bench.dataSource, {
    webhooks: LIST_WEBHOOKS,
    notifications: options.listNotifications,
  });
  bench.seeded.push(...webhooks);
  let next = 0;
  let emptyPages = 0;
  const listRequest: autocannon.Request = {
    method: 'GET',
    setupRequest: (request) => {
      const { webhookId } = webhooks[next++ % webhooks.length];
      return {
        ...request,
        path: `/api/notifications/v1/admin/webhooks/${webhookId}/notifications?status=failed&limit=${LIST_PAGE}`,
      };
    },
    onResponse: (status, body) => {
      if (status === 200 && (JSON.parse(body) as { items: unknown[] }).items.length !== LIST_PAGE) {
        emptyPages += 1;
      }
    },
  };
  const run = (durationS: number) =>
    runAutocannon({
      url: bench.service.baseUrl,
      connections: options.connections,
      duration: durationS,
      headers: { authorization: `Bearer ${API_KEY}` },
      requests: [listRequest],
    });

  progress(`${name}: warming up`);
  await run(options.warmupS);
  await waitUntilIdle(bench.proxy);
  emptyPages = 0;

  progress(`${name}: measuring`);
  bench.service.resetPeakRss();
  const statementsBefore = bench.proxy.statements;
  const cpuMsBefore = bench.service.cpuMs();
  const result = await run(options.durationS);
  await waitUntilIdle(bench.proxy);
  return {
    name,
    ids: LIST_PAGE,
    connections: options.connections,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / result.duration, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    sqlPerRequest: round((bench.proxy.statements - statementsBefore) / result.requests.sent, 2),
    sendsPerSecond: 0,
    cpuMsPerRequest: round((bench.service.cpuMs() - cpuMsBefore) / result.requests.sent, 2),
    peakRssMb: toMb(bench.service.peakRss()),
    errors: result.non2xx + result.errors + result.timeouts + emptyPages,
  };
}

/**
 * Each request takes a group of ids that no other request in flight holds
 * and gives it back with the answer: a notification with a pending attempt
 * would be refused, not sent.
 */
async function drive(
  bench: Bench,
  scenario: Scenario,
  groups: readonly IdGroup[],
  bound: Scenario['bound'],
): Promise<{ result: autocannon.Result; undeliveredItems: number }> {
  const free = [...groups];
  let undeliveredItems = 0;
  let timeout: NodeJS.Timeout | undefined;
  try {
    const result = await runAutocannon(
      {
        url: bench.service.baseUrl,
        connections: scenario.connections,
        ...('durationS' in bound ? { duration: bound.durationS } : { amount: bound.requests }),
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            setupRequest: (request, context: { group?: IdGroup }) => {
              const group = free.pop();
              if (!group) {
                throw new Error('no free group of notification ids: too many requests timed out');
              }
              context.group = group;
              return {
                ...request,
                path: `/api/notifications/v1/admin/webhooks/${group.webhookId}/notifications/retrigger`,
                body: group.body,
              };
            },
            onResponse: (status, body, context: { group?: IdGroup }) => {
              if (context.group) {
                free.push(context.group);
              }
              if (status === 200) {
                undeliveredItems += (JSON.parse(body) as { totalFailed: number }).totalFailed;
              }
            },
          },
        ],
      },
      (instance) => (timeout = setTimeout(() => instance.stop(), RUN_TIMEOUT_S * 1000)),
    );
    return { result, undeliveredItems };
  } finally {
    clearTimeout(timeout);
  }
}

/** Requests autocannon stopped waiting for still run to their end; wait until the service sends no more SQL. */
async function waitUntilIdle(proxy: StatementCountingProxy): Promise<void> {
  const quietMs = 500;
  const deadline = Date.now() + RUN_TIMEOUT_S * 1000;
  let last = proxy.statements;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    if (Date.now() > deadline) {
      throw new Error('the service kept sending SQL after the run ended');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (proxy.statements !== last) {
      last = proxy.statements;
      quietSince = Date.now();
    }
  }
}

async function describeMachine(
  dataSource: DataSource,
): Promise<{ cpu: string; cores: number; memoryGb: number; loadAverage1m: number; node: string; postgres: string }> {
  const [{ server_version: postgres }] =
    await dataSource.query<Array<{ server_version: string }>>('SHOW server_version');
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    // Other work on the machine moves every figure but CPU ms/req and SQL/req: say how busy it was.
    loadAverage1m: round(loadavg()[0], 2),
    node: process.version,
    postgres,
  };
}

function printTable(
  machine: Awaited<ReturnType<typeof describeMachine>>,
  results: readonly PhaseResult[],
  peakRssMb: number,
  options: Options,
): void {
  const headers = [
    'scenario',
    'conns',
    'requests',
    'req/s',
    'p50 ms',
    'p99 ms',
    'SQL/req',
    'sends/s',
    'CPU ms/req',
    'peak RSS MB',
    'errors',
  ];
  const rows = results.map((r) =>
    [
      r.name,
      r.connections,
      r.requests,
      r.requestsPerSecond,
      r.p50Ms,
      r.p99Ms,
      r.sqlPerRequest,
      r.sendsPerSecond,
      r.cpuMsPerRequest,
      r.peakRssMb,
      r.errors,
    ].map(String),
  );
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  const out: string[] = [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, load average ${machine.loadAverage1m} before the bench; Node ${machine.node}; PostgreSQL ${machine.postgres}`,
    `payload ${options.payloadBytes} bytes; throughput phases: ${options.durationS} s after ${options.warmupS} s warm-up`,
    '',
    line(headers),
    `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
    ...rows.map(line),
    '',
  ];
  for (const result of results.filter((r) => r.floorMs !== undefined)) {
    out.push(
      `${result.name}: p50 ${result.p50Ms} ms against a floor of ${result.floorMs} ms (+${round(result.p50Ms - result.floorMs!, 1)} ms)`,
    );
  }
  out.push(`service peak RSS over the whole bench (start included): ${peakRssMb} MB`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function newestProfile(dir: string, since: number): string {
  const profiles = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).mtimeMs >= since)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (profiles.length === 0) {
    throw new Error(`no CPU profile written in ${dir}`);
  }
  return profiles[0];
}

function printProfile(path: string): void {
  const { functions, packages } = summarizeCpuProfile(path, 20);
  const format = (rows: typeof functions) =>
    rows.map((row) => `${String(row.ms).padStart(7)} ms ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  process.stderr.write(
    [
      `\nCPU profile: ${path}`,
      'self time by package:',
      ...format(packages),
      'self time by function:',
      ...format(functions),
      '',
    ].join('\n'),
  );
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      connections: { type: 'string', default: '10' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      'slow-requests': { type: 'string', default: '20' },
      'payload-bytes': { type: 'string', default: '1024' },
      'cpu-prof': { type: 'boolean', default: false },
      'list-notifications': { type: 'string', default: String(LIST_NOTIFICATIONS) },
      phases: { type: 'string', default: 'retrigger,list' },
    },
  });
  return {
    json: values.json,
    connections: positive('connections', values.connections),
    durationS: positive('duration', values.duration),
    warmupS: positive('warmup', values.warmup),
    slowRequests: positive('slow-requests', values['slow-requests']),
    payloadBytes: positive('payload-bytes', values['payload-bytes']),
    cpuProf: values['cpu-prof'],
    listNotifications: positive('list-notifications', values['list-notifications']),
    phases: phasesOption(values.phases),
  };
}

function phasesOption(raw: string): ReadonlySet<string> {
  const phases = new Set(raw.split(','));
  if (phases.size === 0 || [...phases].some((phase) => phase !== 'retrigger' && phase !== 'list')) {
    throw new Error('--phases must be retrigger, list or both, comma-separated');
  }
  return phases;
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`--${name} must be a positive integer`);
  }
  return value;
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function toMb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
