// class-transformer's @Type reads TypeScript's design-time types through Reflect.getMetadata.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';

/** Operational policies (security, logging, mediation) and QoS policies (rate limits, quotas) travel separately in packages. */
export const POLICY_CLASSES = ['operational', 'qos'] as const;

/** A reference by uuid (preferred) and name (fallback, and what a human reads). */
export class AssetRefModel {
  @IsOptional()
  @IsUUID()
  uuid?: string;

  @IsString()
  @Length(1, 128)
  name!: string;
}

/** A policy shared by several proxies; may use aliases (named values, credentials). */
export class SharedPolicyModel {
  @IsUUID()
  uuid!: string;

  @IsString()
  @Length(1, 128)
  name!: string;

  @IsString()
  @Length(1, 64)
  type!: string;

  @IsString()
  @Length(1, 32)
  phase!: string;

  @IsObject()
  config!: Record<string, unknown>;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AssetRefModel)
  aliases?: AssetRefModel[];

  /** Absent means operational. */
  @IsOptional()
  @IsIn(POLICY_CLASSES as unknown as string[])
  policyClass?: string;
}

/** A named value or endpoint credential; `secrets` holds the fields never written in clear. */
export class AliasModel {
  @IsUUID()
  uuid!: string;

  @IsString()
  @Length(1, 128)
  name!: string;

  @IsString()
  @Length(1, 64)
  kind!: string;

  @IsObject()
  value!: Record<string, unknown>;

  /** field → plaintext (catalog side) or sealed value (archive side). */
  @IsOptional()
  @IsObject()
  secrets?: Record<string, unknown>;
}

/** A consumer of proxies: credentials (secret) and subscriptions to proxies. */
export class ApplicationModel {
  @IsUUID()
  uuid!: string;

  @IsString()
  @Length(1, 128)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => AssetRefModel)
  subscriptions?: AssetRefModel[];

  @IsOptional()
  @IsObject()
  secrets?: Record<string, unknown>;
}
