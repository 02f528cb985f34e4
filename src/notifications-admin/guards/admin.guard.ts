import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { setAdminPrincipal } from './admin-principal.decorator';

const BEARER = /^bearer +([\x21-\x7e]+) *$/i;

interface KnownKey {
  digest: Buffer;
  principal: string;
}

/**
 * Lets only admins through and records who they are. With the host's
 * `adminCheck` that check decides; otherwise the request must carry one of
 * the configured API keys as a bearer token.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly keys: readonly KnownKey[];

  constructor(@Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig) {
    this.keys = config.adminApiKeys.map((key) => {
      const digest = sha256(key);
      return { digest, principal: `apikey:${digest.toString('hex').slice(0, 12)}` };
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const principal = this.config.adminCheck ? await this.config.adminCheck(request) : this.principalOfApiKey(request);
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
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
