import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { JobWebhookOption } from '../jobs/job-webhook.js';

export class ExportIncludeDto {
  @ApiPropertyOptional({ description: 'applications subscribed to the exported proxies (with credentials as secrets)' })
  @IsOptional()
  @IsBoolean()
  applications?: boolean;

  @ApiPropertyOptional({ description: 'documentation and other resources' })
  @IsOptional()
  @IsBoolean()
  resources?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  scopes?: boolean;

  @ApiPropertyOptional({ description: 'where each proxy is deployed (revision, status, time)' })
  @IsOptional()
  @IsBoolean()
  deploymentState?: boolean;

  @ApiPropertyOptional({ description: 'seal secret fields with the passphrase (required then); otherwise they are left out' })
  @IsOptional()
  @IsBoolean()
  secrets?: boolean;
}

export class ExportRequestDto {
  @ApiPropertyOptional({ type: [String], description: 'proxy names or uuids; absent or empty exports the whole project' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  proxies?: string[];

  @ApiPropertyOptional({ type: ExportIncludeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ExportIncludeDto)
  include?: ExportIncludeDto;

  @ApiPropertyOptional({ description: 'export passphrase (8 to 1024 characters); kept sealed, never logged' })
  @IsOptional()
  @IsString()
  @Length(8, 1024)
  passphrase?: string;

  @ApiPropertyOptional({ description: 'download file name, ending in .zip' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,120}\.zip$/i, { message: 'fileName must be 1-120 letters, digits, ".", "_" or "-" ending in .zip' })
  fileName?: string;

  @JobWebhookOption()
  webhook?: Record<string, unknown>;
}
