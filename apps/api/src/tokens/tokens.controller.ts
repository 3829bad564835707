import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#core';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { CreateTokenDto } from './token.dto.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('v1/tokens')
export class TokensController {
  constructor(@Inject(TokensService) private readonly service: TokensService) {}

  @Post()
  create(@CurrentPrincipal() caller: Principal, @Body() dto: CreateTokenDto) {
    return this.service.create(caller, dto);
  }

  @Get()
  async list(@CurrentPrincipal() caller: Principal) {
    return { items: await this.service.list(caller) };
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentPrincipal() caller: Principal, @Param('id') id: string) {
    return this.service.revoke(caller, id);
  }
}
