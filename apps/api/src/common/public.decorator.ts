import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'apiferry:public';
/** Marks a route that needs no token (health, metrics, the OpenAPI document). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
