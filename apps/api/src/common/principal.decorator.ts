import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '#core';

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The caller behind the bearer token, as the auth guard established it. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a public route');
  return request.principal;
});
