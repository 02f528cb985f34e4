import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import request from 'supertest';
import { answer, Receiver } from './support/receivers';
import { attemptsOf, newSecret, seedNotification, seedWebhook } from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

type HostRequest = Request & { user?: { id: string; admin: boolean } };

/**
 * A host's route guard, as @nestjs/passport's AuthGuard behaves: it sets
 * request.user, throws 401 on a bad token, and here also answers false for a
 * blocked user and fails outright when its identity provider is down.
 */
@Injectable()
class HostSessionGuard implements CanActivate {
  static calls = 0;

  canActivate(context: ExecutionContext): boolean {
    HostSessionGuard.calls++;
    const req = context.switchToHttp().getRequest<HostRequest>();
    const session = req.headers['x-host-session'];
    if (session === 'identity-provider-down') {
      throw new Error('identity provider unreachable');
    }
    if (session === 'blocked') {
      return false;
    }
    if (typeof session !== 'string' || !session.startsWith('user:')) {
      throw new UnauthorizedException();
    }
    req.user = { id: session.slice('user:'.length), admin: session.endsWith('-admin') };
    return true;
  }
}

describe('authGuards: the host’s route guards before adminCheck, API keys beside them', () => {
  let receiver: Receiver;
  let testApp: TestApp;

  beforeAll(async () => {
    receiver = await Receiver.start(answer(200));
    testApp = await startTestApp({
      authGuards: [HostSessionGuard],
      adminCheck: (req) => {
        const user = (req as HostRequest).user;
        return user?.admin ? `user:${user.id}` : null;
      },
    });
  });

  afterAll(async () => {
    await testApp.close();
    await receiver.close();
  });

  async function seed() {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const stored = await seedNotification(testApp.dataSource, webhook, newSecret(), { status: 'failed' });
    return { webhookId: webhook.id, notificationId: stored.id };
  }

  const retrigger = (webhookId: string, notificationId: string, headers: Record<string, string>) =>
    request(testApp.baseUrl)
      .post(retriggerPath(webhookId))
      .set(headers)
      .send({ webhookNotificationIds: [notificationId] });

  it('retriggers for a user the guard lets in and adminCheck calls admin, recorded as the check’s principal', async () => {
    const { webhookId, notificationId } = await seed();

    const response = await retrigger(webhookId, notificationId, { 'x-host-session': 'user:ada-admin' });

    expect(response.status).toBe(200);
    expect((await attemptsOf(testApp.dataSource, notificationId))[0].retriggeredBy).toBe('user:ada-admin');
  });

  it.each([
    ['a guard that throws 401', {}],
    ['a guard that answers false', { 'x-host-session': 'blocked' }],
    ['a user the guard lets in but adminCheck refuses', { 'x-host-session': 'user:bob' }],
    ['an unknown bearer token (not an API key)', { authorization: 'Bearer not-a-key' }],
  ])('answers %s with 403 AccessDenied in the envelope, sending nothing', async (_case, headers) => {
    const { webhookId, notificationId } = await seed();
    const before = receiver.requests.length;

    const response = await retrigger(webhookId, notificationId, headers);

    expect(response.status).toBe(403);
    expect(response.body).toEqual({ name: 'AccessDenied', error: 'Admin credentials are required', status: 403 });
    expect(receiver.requests.length).toBe(before);
  });

  it('lets an API key in without running the guards', async () => {
    const { webhookId, notificationId } = await seed();
    const calls = HostSessionGuard.calls;

    const response = await retrigger(webhookId, notificationId, { authorization: `Bearer ${testApp.apiKey}` });

    expect(response.status).toBe(200);
    expect(HostSessionGuard.calls).toBe(calls);
  });

  it('answers a guard that fails (not a refusal) 500 UnexpectedError, not AccessDenied', async () => {
    const { webhookId, notificationId } = await seed();

    const response = await retrigger(webhookId, notificationId, { 'x-host-session': 'identity-provider-down' });

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ name: 'UnexpectedError', error: 'An unexpected error occurred', status: 500 });
  });

  it('refuses to start with authGuards but no adminCheck to name the principal', async () => {
    await expect(startTestApp({ authGuards: [HostSessionGuard] })).rejects.toThrow(
      'NotificationsAdminModule option authGuards needs adminCheck',
    );
  });
});
