import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
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

export const EXPORT_FORMATS = ['archive', 'openapi'] as const;

export class ExportRequestDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'archive', description: '"archive": an apiferry archive (ZIP); "openapi": one OpenAPI document of the selected proxies' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: (typeof EXPORT_FORMATS)[number];

  @ApiPropertyOptional({ enum: ['2.0', '3.0'], default: '3.0', description: 'format openapi only: Swagger 2.0 or OpenAPI 3.0' })
  @IsOptional()
  @IsIn(['2.0', '3.0'])
  oasVersion?: '2.0' | '3.0';

  @ApiPropertyOptional({ enum: ['json', 'yaml'], default: 'json', description: 'format openapi only: the document as JSON or YAML' })
  @IsOptional()
  @IsIn(['json', 'yaml'])
  type?: 'json' | 'yaml';

  @ApiPropertyOptional({
    enum: ['spec', 'proxy', 'all'],
    default: 'all',
    description: 'format openapi only: "spec" paths and operations; "proxy" plus backends (x-apigateway-*); "all" plus policies, cache, CORS, maintenance',
  })
  @IsOptional()
  @IsIn(['spec', 'proxy', 'all'])
  define?: 'spec' | 'proxy' | 'all';

  @ApiPropertyOptional({ description: 'format openapi only: info.version of the document (default: the time of the export)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  version?: string;

  @ApiPropertyOptional({ description: 'format openapi only: only the proxies deployed in this environment' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  environment?: string;

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

  @ApiPropertyOptional({ description: 'download file name, ending in .zip (an archive), or .json / .yaml / .yml as `type` says (an OpenAPI document)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,120}\.(zip|json|ya?ml)$/i, { message: 'fileName must be 1-120 letters, digits, ".", "_" or "-" ending in .zip (or .json, .yaml, .yml for an OpenAPI document)' })
  fileName?: string;

  @JobWebhookOption()
  webhook?: Record<string, unknown>;
}
