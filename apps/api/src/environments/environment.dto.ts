import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { NAME_PATTERN } from '../projects/project.dto.js';

export const DEPLOY_DRIVERS = ['nginx', 'http'] as const;

export class CreateEnvironmentDto {
  @ApiProperty({ example: 'production' })
  @IsString()
  @Matches(NAME_PATTERN, { message: 'name must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  name!: string;

  @ApiProperty({ enum: DEPLOY_DRIVERS })
  @IsIn(DEPLOY_DRIVERS as unknown as string[])
  driver!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'driver settings (gateway address...)' })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}

export class UpdateEnvironmentDto {
  @ApiProperty({ enum: DEPLOY_DRIVERS })
  @IsIn(DEPLOY_DRIVERS as unknown as string[])
  driver!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}
