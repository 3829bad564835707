import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { ALL_PERMISSIONS } from '#core';

export class TokenGrantDto {
  @ApiProperty({ example: 'payments' })
  @IsString()
  @Length(1, 128)
  project!: string;

  @ApiProperty({ enum: ALL_PERMISSIONS })
  @IsIn(ALL_PERMISSIONS as string[])
  permission!: string;
}

export class CreateTokenDto {
  @ApiProperty({ example: 'ci-pipeline' })
  @IsString()
  @Length(1, 128)
  name!: string;

  @ApiPropertyOptional({ description: 'days until expiry (at most the configured maximum, 366 by default)', default: 90 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3660)
  expiresInDays?: number;

  @ApiPropertyOptional({ type: [TokenGrantDto] })
  @IsOptional()
  @ValidateNested({ each: true })
  @ArrayMaxSize(1000)
  @Type(() => TokenGrantDto)
  grants?: TokenGrantDto[];

  @ApiPropertyOptional({ description: 'instance administrator (only an instance admin may grant it)' })
  @IsOptional()
  @IsBoolean()
  instanceAdmin?: boolean;
}
