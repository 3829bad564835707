import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { JobWebhookOption } from '../jobs/job-webhook.js';
import { RoutingModel } from '#core';

/** Import options; also what the multipart `options` (or vendor `metadata`) field holds. */
export class ImportOptionsDto {
  @ApiPropertyOptional({ description: '"fail" (default), "overwrite", "rename", "keep", or an object per asset type', oneOf: [{ type: 'string' }, { type: 'object' }] })
  @IsOptional()
  conflicts?: unknown;

  @ApiPropertyOptional({ description: 'compute and return the plan; change nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ type: RoutingModel, description: "replaces every imported proxy's routing" })
  @IsOptional()
  @ValidateNested()
  @Type(() => RoutingModel)
  routing?: RoutingModel;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  maintenanceMode?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'source backend address prefix → target address' })
  @IsOptional()
  @IsObject()
  endpointMap?: Record<string, string>;

  @ApiPropertyOptional({ description: 'the export passphrase, to restore sealed secrets' })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  passphrase?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  deploy?: boolean;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  deployTargetEnvironmentNameList?: string[];

  @JobWebhookOption()
  webhook?: Record<string, unknown>;
}

export class ImportRequestDto extends ImportOptionsDto {
  @ApiProperty({ format: 'uuid', description: 'a completed upload of this project' })
  @IsUUID()
  uploadId!: string;
}

export class CreateUploadDto {
  @ApiProperty({ example: 'staging-export.zip' })
  @IsString()
  @Length(1, 255)
  fileName!: string;

  @ApiProperty({ description: 'archive size in bytes (sets the number of parts)' })
  @IsInt()
  @Min(1)
  @Max(5 * 1024 ** 4)
  size!: number;
}

export class UploadedPartDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(10_000)
  partNumber!: number;

  @ApiProperty()
  @IsString()
  etag!: string;
}

export class CompleteUploadDto {
  @ApiProperty({ type: [UploadedPartDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => UploadedPartDto)
  parts!: UploadedPartDto[];
}
