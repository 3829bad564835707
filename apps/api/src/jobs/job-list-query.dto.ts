import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ALL_JOB_KINDS } from '#jobs';
import { PageQueryDto } from '../common/pagination.dto.js';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;

export class JobListQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  project?: string;

  @ApiPropertyOptional({ enum: ALL_JOB_KINDS })
  @IsOptional()
  @IsIn(ALL_JOB_KINDS as string[])
  kind?: string;

  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES as unknown as string[])
  state?: string;
}
