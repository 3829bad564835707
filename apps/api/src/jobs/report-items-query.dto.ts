import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CursorQueryDto } from '../common/pagination.dto.js';

export const REPORT_ACTIONS = ['create', 'overwrite', 'rename', 'skip', 'conflict', 'invalid', 'failed'] as const;

/** GET /v1/jobs/{id}/report-items: bigger pages than other lists (a line is small; reports are long). */
export class ReportItemsQueryDto extends CursorQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 5000, default: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;

  @ApiPropertyOptional({ description: 'only these actions, comma-separated (e.g. failed,conflict,invalid)', enum: REPORT_ACTIONS })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value))
  @IsIn(REPORT_ACTIONS as unknown as string[], { each: true })
  action?: string[];
}
