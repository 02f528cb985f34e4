import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { answer, Receiver } from './support/receivers';
import { newSecret, seedNotification, seedWebhook } from './support/seed';
import { openDatabase, ServiceProcess } from './support/service-process';
import { principalOf, retriggerPath, testDatabaseUrl } from './support/test-app';

jest.setTimeout(60_000);

describe('structured logs of the standalone service', () => {
  const apiKey = `admin-key-${randomUUID()}`;
  const secret = newSecret();
  const payloadMarker = `payload-marker-${randomUUID()}`;
  const cookie = `session-${randomUUID()}`;
  const requestId = `req-${randomUUID()}`;
  let service: ServiceProcess;
  let database: DataSource;
  let receiver: Receiver;
  let signature: string;
  let webhookId: string;
  let answers: Response[];

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl();
    receiver = await Receiver.start(answer(200, 'ok'));
    service = await ServiceProcess.start({
      ADMIN_API_KEYS: apiKey,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    database = await openDatabase(databaseUrl);
    const webhook = await seedWebhook(database, { url: receiver.url, secret });
    webhookId = webhook.id;
    const stored = await seedNotification(database, webhook, secret, {
      payload: JSON.stringify({ type: 'invoice.paid', note: payloadMarker }),
    });
    signature = stored.headers['webhook-signature'];

    const post = (headers: Record<string, string>, body: string) =>
      fetch(service.baseUrl + retriggerPath(webhookId), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    answers = [
      await post(
        { authorization: `Bearer ${apiKey}`, 'x-request-id': requestId, cookie: `session=${cookie}` },
        JSON.stringify({ webhookNotificationIds: [stored.id] }),
      ),
      await post(
        { authorization: `Bearer ${apiKey}`, 'x-request-id': 'has spaces and is not taken' },
        JSON.stringify({ webhookNotificationIds: [stored.id] }),
      ),
      await post({ authorization: `Bearer ${apiKey}`, 'x-request-id': 'x'.repeat(129) }, '{not json'),
    ];
    await service.stop();
  });

  afterAll(async () => {
    await service?.stop();
    await database?.destroy();
    await receiver?.close();
  });

  it('writes every stdout line as one JSON object', () => {
    expect(service.stdout.length).toBeGreaterThan(5);
    expect(() => service.logLines()).not.toThrow();
    expect(service.logLines().find((line) => line.msg === 'Nest application successfully started')).toMatchObject({
      context: 'NestApplication',
    });
  });

  it("echoes the caller's X-Request-Id and logs the request under it", () => {
    expect(answers[0].status).toBe(200);
    expect(answers[0].headers.get('x-request-id')).toBe(requestId);
    expect(service.logLines()).toContainEqual(
      expect.objectContaining({ reqId: requestId, msg: 'request completed', res: { statusCode: 200 } }),
    );
  });

  it('generates a request id when the given one is not printable or too long, also for a body refused while read', () => {
    const generated = answers.slice(1).map((answered) => answered.headers.get('x-request-id'));
    expect(answers[2].status).toBe(400);
    for (const id of generated) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(service.logLines()).toContainEqual(expect.objectContaining({ reqId: id, msg: 'request completed' }));
    }
  });

  it('logs one retrigger line with the principal, webhook, counts and duration', () => {
    const principal = principalOf(apiKey);
    const retriggerLines = service.logLines().filter((line) => line.context === 'Retrigger');
    expect(retriggerLines).toHaveLength(2);
    expect(retriggerLines[0]).toEqual(
      expect.objectContaining({
        reqId: requestId,
        msg: 'retrigger completed',
        principal,
        webhookId,
        totalRequested: 1,
        totalSuccess: 1,
        totalFailed: 0,
        durationMs: expect.any(Number),
      }),
    );
  });

  it('never logs the API key, cookie, webhook secret, signature or payload', () => {
    const everything = service.stdout.join('\n') + service.stderr.join('\n');
    for (const secretValue of [apiKey, cookie, secret, secret.slice('whsec_'.length), signature, payloadMarker]) {
      expect(everything).not.toContain(secretValue);
    }
    expect(service.logLines()).toContainEqual(
      expect.objectContaining({
        reqId: requestId,
        req: expect.objectContaining({ headers: expect.objectContaining({ authorization: '[redacted]' }) }),
      }),
    );
  });
});
