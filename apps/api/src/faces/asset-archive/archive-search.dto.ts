import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, ValidateNested } from 'class-validator';

export class ArchiveSearchScopeDto {
  @ApiPropertyOptional({ example: 'apiName', description: 'informational: the pattern always applies to the asset name' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  attributeName?: string;

  @ApiProperty({ example: 'orders*', description: 'name pattern: * any characters, ? one character, case-insensitive' })
  @IsString()
  @Length(1, 256)
  keyword!: string;
}

/** The search form of the archive export: which types, which names, which optional dependencies. */
export class ArchiveSearchDto {
  @ApiProperty({ example: ['api', 'policy'], description: 'api, policy, alias, application (singular or plural)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(8)
  @IsString({ each: true })
  types!: string[];

  @ApiPropertyOptional({ type: [ArchiveSearchScopeDto], description: 'name patterns; absent selects every asset of the types' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ArchiveSearchScopeDto)
  scope?: ArchiveSearchScopeDto[];

  @ApiPropertyOptional({ enum: ['or', 'and'], default: 'or', description: 'how several patterns combine' })
  @IsOptional()
  @IsIn(['or', 'and'])
  condition?: 'or' | 'and';

  @ApiPropertyOptional({ description: 'also export the applications subscribed to the exported APIs (with their subscriptions)' })
  @IsOptional()
  @IsBoolean()
  includeOptionalDependencies?: boolean;

  // Fields of the vendor's search form that shape a search listing, not an archive:
  // accepted so that existing request bodies work unchanged, and ignored.
  @Allow()
  responseFields?: unknown;

  @Allow()
  sortByField?: unknown;

  @Allow()
  from?: unknown;

  @Allow()
  size?: unknown;
}
