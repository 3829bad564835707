import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from '#webhooks';
import { PageQueryDto } from '../common/pagination.dto.js';

const URL_RULES: NonNullable<Parameters<typeof IsUrl>[0]> = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true };
const URL_MESSAGE = 'url must be an absolute http(s) URL';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://ci.example.com/hooks/apiferry', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES, { message: URL_MESSAGE })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['job.succeeded', 'job.failed'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES as unknown as string[], { each: true })
  events!: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES, { message: URL_MESSAGE })
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES as unknown as string[], { each: true })
  events?: string[];

  @ApiPropertyOptional({ description: 'true re-enables a disabled endpoint and forgets its failure streak' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export const DELIVERY_STATES = ['pending', 'succeeded', 'failed', 'skipped'] as const;

export class DeliveryListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only the attempts of this message (webhook-id)' })
  @IsOptional()
  @IsString()
  @Matches(/^msg_[0-9a-f-]{36}$/, { message: 'webhookId must look like msg_<uuid>' })
  webhookId?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_TYPES as unknown as string[])
  eventType?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATES })
  @IsOptional()
  @IsIn(DELIVERY_STATES as unknown as string[])
  state?: string;
}
