import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class CreateProjectDto {
  @ApiProperty({ example: 'payments', pattern: NAME_PATTERN.source })
  @IsString()
  @Matches(NAME_PATTERN, { message: 'name must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class UpdateProjectDto {
  @ApiProperty()
  @IsString()
  @MaxLength(2000)
  description!: string;
}
