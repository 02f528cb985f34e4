/**
 * `npm run bench:floor`: the floors under two of the bench's targets, on
 * this machine, so a figure from `npm run bench` can be read against what no
 * change to the module could go below.
 *
 * 1. Delivery: CPU ms of this process per 25 concurrent sends of a 1 KiB
 *    body to a loopback receiver in another process (its CPU is not
 *    counted), through
 *    - node:http: a bare keep-alive request, what the hand-written client was;
 *    - axios: HttpService over the module's configured axios instance
 *      (delivery-client.config.ts), nothing else of the module;
 *    - WebhookDelivery: the module's sender (header checks, deadline, reader).
 *    Each client is measured in a fresh process of its own, so none inherits
 *    another's warmed-up code or heap.
 * 2. List: the bench's list phase (the first page of 50 failed of one of
 *    100 webhooks holding 200,000 notifications, 10 connections) against a
 *    bare node:http server that calls NotificationListService itself: the
 *    module's one statement and mapping, without Nest, middleware or logs.
 *
 *   BENCH_DATABASE_URL  PostgreSQL for the list part (default postgres://postgres@127.0.0.1:5432/test)
 *   --batches=N         measured batches of 25 sends per client (default 400, after 100 to warm up)
 *   --duration=S        seconds of the measured list run (default 10, after 3 to warm up)
 *   --phases=P          delivery, list or both (default both)
 */
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { spawn } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/config/data-source-options';
import { DeliveryAgents } from '../src/notifications-admin/delivery/delivery-agents';
import { deliveryClientConfig, trimDeliveryDefaults } from '../src/notifications-admin/delivery/delivery-client.config';
import { DestinationPolicy } from '../src/notifications-admin/delivery/destination-policy';
import { WebhookDelivery } from '../src/notifications-admin/delivery/webhook-delivery.service';
import { NotificationListService } from '../src/notifications-admin/listing/notification-list.service';
import type { NotificationsAdminConfig } from '../src/notifications-admin/notifications-admin.config';
import { removeGroups, seedListing } from './bench/bench.seed';
import { DEFAULT_DATABASE_URL, LIST_NOTIFICATIONS, LIST_PAGE, LIST_WEBHOOKS, runAutocannon } from './bench/list-phase';

const SENDS = 25;
const WARMUP_BATCHES = 100;

/** What every client sends: a 1 KiB JSON body to the receiver. */
interface Target {
  url: string;
  payload: string;
  body: Buffer;
  headers: Record<string, string>;
}

interface Client {
  name: string;
  /** Builds only what this client needs; `close` releases it. */
  build(target: Target): { send: () => Promise<unknown>; close: () => void };
}

/** The module's agents and destination policy, configured as the bench's service is. */
function moduleParts(): { config: NotificationsAdminConfig; destinations: DestinationPolicy; agents: DeliveryAgents } {
  const config = {
    webhookTimeoutMs: 10_000,
    allowPrivateNetworks: true,
    httpClient: { proxy: null, agentOptions: {} },
  } as unknown as NotificationsAdminConfig;
  const destinations = new DestinationPolicy(config);
  return { config, destinations, agents: new DeliveryAgents(destinations, config) };
}

const CLIENTS: readonly Client[] = [
  {
    name: 'node:http (bare keep-alive request)',
    build: ({ url, body, headers }) => {
      const bareAgent = new Agent({ keepAlive: true, maxSockets: 64 });
      return {
        send: () =>
          new Promise<void>((resolve, reject) => {
            const sent = request(
              url,
              { method: 'POST', agent: bareAgent, headers: { ...headers, 'content-length': body.length } },
              (answer) => answer.resume().on('end', resolve).on('error', reject),
            );
            sent.on('error', reject).end(body);
          }),
        close: () => bareAgent.destroy(),
      };
    },
  },
  {
    name: 'axios via HttpService, the module configuration',
    build: ({ url, body, headers }) => {
      const { agents } = moduleParts();
      const http = new HttpService(axios.create(deliveryClientConfig(agents)));
      trimDeliveryDefaults(http.axiosRef);
      return {
        send: async () => {
          const deadline = AbortSignal.timeout(10_000);
          const answer = await firstValueFrom(
            http.request<Readable>({
              method: 'POST',
              url,
              data: body,
              headers,
              signal: deadline,
              responseType: 'stream',
            }),
          );
          await new Promise((resolve, reject) => answer.data.resume().on('end', resolve).on('error', reject));
        },
        close: () => agents.onModuleDestroy(),
      };
    },
  },
  {
    name: 'WebhookDelivery (the module sender)',
    build: ({ url, payload, headers }) => {
      const { config, destinations, agents } = moduleParts();
      // The WebhookDelivery constructor trims its own instance's defaults.
      const http = new HttpService(axios.create(deliveryClientConfig(agents)));
      const delivery = new WebhookDelivery(http, destinations, agents, config);
      return {
        send: async () => {
          const result = await delivery.deliver({ url, payload, headers });
          if (!result.succeeded) {
            throw new Error(`send failed: ${result.error}`);
          }
        },
        close: () => agents.onModuleDestroy(),
      };
    },
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      batches: { type: 'string', default: '400' },
      duration: { type: 'string', default: '10' },
      phases: { type: 'string', default: 'delivery,list' },
      client: { type: 'string' },
    },
  });
  if (values.client !== undefined) {
    process.stdout.write(`${await measureClient(Number(values.client), Number(values.batches))}\n`);
    return;
  }
  const phases = new Set(values.phases.split(','));
  if (phases.has('delivery')) {
    await deliveryFloor(Number(values.batches));
  }
  if (phases.has('list')) {
    await listFloor(process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL, Number(values.duration));
  }
}

/** CPU ms of this process per batch of SENDS concurrent sends through one client, as text. */
async function measureClient(index: number, batches: number): Promise<string> {
  const client = CLIENTS[index];
  if (!client) {
    throw new Error(`--client must be 0 to ${CLIENTS.length - 1}`);
  }
  // A LoopbackReceivers receiver (answering at once) in a process of its own: its CPU is not counted.
  const receiver = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'bench', 'loopback.receivers.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => receiver.stdout.once('data', (chunk) => resolve(Number(chunk))));
  const payload = JSON.stringify({ type: 'invoice.paid', data: 'x'.repeat(1000) });
  const { send, close } = client.build({
    url: `http://127.0.0.1:${port}/hooks`,
    payload,
    body: Buffer.from(payload),
    headers: { 'content-type': 'application/json', 'x-webhook-signature': 'v1=0123456789abcdef' },
  });
  try {
    const batch = () => Promise.all(Array.from({ length: SENDS }, send));
    for (let i = 0; i < WARMUP_BATCHES; i++) {
      await batch();
    }
    const before = process.cpuUsage();
    for (let i = 0; i < batches; i++) {
      await batch();
    }
    const used = process.cpuUsage(before);
    return `| ${client.name.padEnd(48)} | ${((used.user + used.system) / 1000 / batches).toFixed(2).padStart(19)} |`;
  } finally {
    close();
    receiver.kill();
  }
}

async function deliveryFloor(batches: number): Promise<void> {
  const rows: string[] = [];
  for (let index = 0; index < CLIENTS.length; index++) {
    rows.push(await measureInChild(index, batches));
  }
  process.stdout.write(
    [
      `delivery: CPU of this process per ${SENDS} concurrent sends, ${batches} batches after ${WARMUP_BATCHES}`,
      `| ${'client'.padEnd(48)} | CPU ms per 25 sends |`,
      `|${'-'.repeat(50)}|${'-'.repeat(20)}:|`,
      ...rows,
      '',
    ].join('\n'),
  );
}

function measureInChild(index: number, batches: number): Promise<string> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', __filename, `--client=${index}`, `--batches=${batches}`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve(output.trim()) : reject(new Error(`client ${index} exited ${code}`)),
    ),
  );
}

async function listFloor(databaseUrl: string, durationS: number): Promise<void> {
  const dataSource = await new DataSource(buildDataSourceOptions(databaseUrl, 'migrations')).initialize();
  process.stderr.write(
    `bench:floor: seeding ${LIST_NOTIFICATIONS.toLocaleString('en')} notifications over ${LIST_WEBHOOKS} webhooks\n`,
  );
  const webhooks = await seedListing(dataSource, { webhooks: LIST_WEBHOOKS, notifications: LIST_NOTIFICATIONS });
  const list = new NotificationListService(dataSource);
  const server = createServer((incoming, answer) => {
    const webhookId = incoming.url!.slice(1);
    list
      .list({ webhookId, statuses: ['failed'], limit: LIST_PAGE, scope: `floor:${webhookId}` })
      .then((page) => {
        const json = JSON.stringify(page);
        answer.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(json),
        });
        answer.end(json);
      })
      .catch((error: Error) => answer.writeHead(500).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let next = 0;
  const run = (duration: number) =>
    runAutocannon({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      connections: 10,
      duration,
      requests: [
        {
          method: 'GET',
          setupRequest: (r) => ({ ...r, path: `/${webhooks[next++ % webhooks.length].webhookId}` }),
        },
      ],
    });
  try {
    await run(3);
    const result = await run(durationS);
    process.stdout.write(
      [
        `list: the first page of ${LIST_PAGE} failed, 10 connections, ${durationS} s after 3 s, bare node:http + NotificationListService`,
        `| req/s | p50 ms | p99 ms | errors |`,
        `|------:|-------:|-------:|-------:|`,
        `| ${(result.requests.total / result.duration).toFixed(1)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors + result.timeouts} |`,
        '',
      ].join('\n'),
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await removeGroups(dataSource, webhooks);
    await dataSource.destroy();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:floor failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
