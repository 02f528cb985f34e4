import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { HostConfig, HostUser } from './host-config';

export type HostRequest = Request & { user?: HostUser };

/** The host's authentication: puts the caller's user, if any, on the request. It never refuses. */
@Injectable()
export class HostAuthMiddleware implements NestMiddleware {
  constructor(private readonly config: HostConfig) {}

  use(request: HostRequest, _response: Response, next: NextFunction): void {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    request.user = token === undefined ? undefined : this.config.users.get(token);
    next();
  }
}
