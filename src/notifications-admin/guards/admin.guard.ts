import { CanActivate, ExecutionContext, HttpException, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isObservable, lastValueFrom } from 'rxjs';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import type { HostAuthGuard } from '../notifications-admin-options.interface';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { setAdminPrincipal } from './admin-principal.decorator';

const BEARER = /^bearer +([\x21-\x7e]+) *$/i;

interface KnownKey {
  digest: Buffer;
  principal: string;
}

/**
 * Lets only admins through and records who they are. A request whose bearer
 * token is one of the configured API keys is admin (machine clients); any
 * other must pass the host's `authGuards`, in order, and then its
 * `adminCheck`. Whatever refuses, the answer is 403 AccessDenied in the
 * envelope, never a guard's own 401 or Nest's 403 body.
 */
@Injectable()
export class AdminGuard implements CanActivate, OnModuleInit {
  private readonly keys: readonly KnownKey[];
  private hostGuards: CanActivate[] = [];

  constructor(
    @Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig,
    private readonly moduleRef: ModuleRef,
  ) {
    this.keys = config.adminApiKeys.map((key) => {
      const digest = sha256(key);
      return { digest, principal: `apikey:${digest.toString('hex').slice(0, 12)}` };
    });
  }

  /** Resolves the host's guards at start, so a guard that cannot be created stops the start, not a request. */
  async onModuleInit(): Promise<void> {
    this.hostGuards = await Promise.all(this.config.authGuards.map((guard) => this.instantiate(guard)));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const principal = this.principalOfApiKey(request) ?? (await this.principalOfHost(context, request));
    if (!principal) {
      throw new ApiException(ErrorName.AccessDenied, 'Admin credentials are required');
    }
    setAdminPrincipal(request, principal);
    return true;
  }

  /** Compares digests in constant time, and always against every key. */
  private principalOfApiKey(request: Request): string | undefined {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      return undefined;
    }
    const presented = sha256(token);
    let match: string | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(presented, key.digest)) {
        match = key.principal;
      }
    }
    return match;
  }

  private async principalOfHost(context: ExecutionContext, request: Request): Promise<string | undefined> {
    if (!this.config.adminCheck) {
      return undefined;
    }
    for (const guard of this.hostGuards) {
      if (!(await passes(guard, context))) {
        return undefined;
      }
    }
    return (await this.config.adminCheck(request)) || undefined;
  }

  /** The host's own instance when it registered the guard as a provider; otherwise one made here. */
  private async instantiate(guard: HostAuthGuard): Promise<CanActivate> {
    if (typeof guard !== 'function') {
      return guard;
    }
    try {
      return this.moduleRef.get(guard, { strict: false });
    } catch {
      try {
        return await this.moduleRef.create(guard);
      } catch (error) {
        throw new Error(
          `NotificationsAdminModule could not create the auth guard ${guard.name}: ${(error as Error).message}. ` +
            'Register it as a provider of your app, or pass an instance in authGuards.',
          { cause: error },
        );
      }
    }
  }
}

/** A guard refuses by answering false or by throwing an HTTP error (passport throws 401); other errors are failures. */
async function passes(guard: CanActivate, context: ExecutionContext): Promise<boolean> {
  try {
    const verdict = guard.canActivate(context);
    return await (isObservable(verdict) ? lastValueFrom(verdict) : verdict);
  } catch (error) {
    if (error instanceof HttpException) {
      return false;
    }
    throw error;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
