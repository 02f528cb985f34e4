import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

const PRINCIPAL = Symbol('notificationsAdminPrincipal');

type RequestWithPrincipal = Request & { [PRINCIPAL]?: string };

export function setAdminPrincipal(request: Request, principal: string): void {
  (request as RequestWithPrincipal)[PRINCIPAL] = principal;
}

export function getAdminPrincipal(request: Request): string | undefined {
  return (request as RequestWithPrincipal)[PRINCIPAL];
}

/** The admin principal that AdminGuard established for this request. */
export const AdminPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const principal = getAdminPrincipal(context.switchToHttp().getRequest<Request>());
  if (!principal) {
    throw new Error('AdminPrincipal used on a route without AdminGuard');
  }
  return principal;
});
