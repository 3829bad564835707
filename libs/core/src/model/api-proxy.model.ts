// class-transformer's @Type reads TypeScript's design-time types through Reflect.getMetadata.
import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional } from './api-docs.js';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/**
 * The complete definition of an API proxy, as the native API accepts it and as an archive
 * carries it. One set of classes validates both edges.
 */
export const ROUTING_ALGORITHMS = ['ROUND_ROBIN', 'WEIGHTED_ROUND_ROBIN', 'LEAST_CONNECTIONS', 'RANDOM', 'IP_HASH', 'URL_HASH'] as const;
export const SOAP_TYPES = ['SOAP11', 'SOAP12'] as const;
export const PROXY_TYPES = ['REST', 'SOAP'] as const;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

const PATH_PATTERN = /^\/[^\s?#]*$/;

export class SharedPolicyRefModel {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  uuid?: string;

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  name!: string;
}

/** One step of a flow: an inline policy (type + config) or a reference to a shared policy. */
export class PolicyStepModel {
  @ApiProperty({ example: 'rate-limit' })
  @IsString()
  @Length(1, 128)
  name!: string;

  @ApiProperty({ example: 'RATE_LIMIT' })
  @IsString()
  @Length(1, 64)
  type!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ type: SharedPolicyRefModel })
  @IsOptional()
  @ValidateNested()
  @Type(() => SharedPolicyRefModel)
  sharedPolicy?: SharedPolicyRefModel;
}

export class PolicyFlowsModel {
  @ApiPropertyOptional({ type: [PolicyStepModel] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PolicyStepModel)
  request?: PolicyStepModel[];

  @ApiPropertyOptional({ type: [PolicyStepModel] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PolicyStepModel)
  response?: PolicyStepModel[];

  @ApiPropertyOptional({ type: [PolicyStepModel] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PolicyStepModel)
  error?: PolicyStepModel[];
}

export class EndpointModel {
  @ApiProperty({ enum: HTTP_METHODS })
  @IsIn(HTTP_METHODS as unknown as string[])
  method!: string;

  @ApiProperty({ example: '/orders/{id}' })
  @IsString()
  @MaxLength(1024)
  @Matches(PATH_PATTERN, { message: 'path must start with "/" and hold no spaces, "?" or "#"' })
  path!: string;

  @ApiPropertyOptional({ example: 'getOrder' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  operation?: string;

  @ApiPropertyOptional({ type: PolicyFlowsModel })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyFlowsModel)
  policies?: PolicyFlowsModel;
}

export class BackendAddressModel {
  @ApiProperty({ example: 'https://orders.internal:8443/v1' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'address must be an http(s) URL' })
  @MaxLength(2048)
  address!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  weight?: number;

  @ApiPropertyOptional({ enum: SOAP_TYPES })
  @IsOptional()
  @IsIn(SOAP_TYPES as unknown as string[])
  soapType?: string;
}

export class RoutingModel {
  @ApiProperty({ enum: ROUTING_ALGORITHMS })
  @IsIn(ROUTING_ALGORITHMS as unknown as string[], { message: `algorithm must be one of ${ROUTING_ALGORITHMS.join(', ')}` })
  algorithm!: string;

  @ApiProperty({ type: [BackendAddressModel] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => BackendAddressModel)
  addressList!: BackendAddressModel[];

  @ApiPropertyOptional({ description: 'backend timeout in milliseconds' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600_000)
  timeoutMs?: number;
}

export class CacheModel {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({ default: 60 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  ttlSeconds?: number;
}

export class CorsModel {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(512, { each: true })
  allowOrigins?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsIn(HTTP_METHODS as unknown as string[], { each: true })
  allowMethods?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  allowHeaders?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  exposeHeaders?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  allowCredentials?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  maxAgeSeconds?: number;
}

export class ResourceModel {
  @ApiProperty({ example: 'README.md' })
  @IsString()
  @Length(1, 255)
  name!: string;

  @ApiPropertyOptional({ example: 'text/markdown' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  contentType?: string;

  @ApiPropertyOptional({ description: 'inline content (small documents)' })
  @IsOptional()
  @IsString()
  @MaxLength(1_048_576)
  content?: string;
}

/** A user who administers an API: a relationship by login, never the user's record. */
export class ApiAdminModel {
  @ApiProperty({ example: 'alice', description: 'the login (token name) of a user of the instance' })
  @IsString()
  @Length(1, 128)
  user!: string;
}

export class ApiProxyModel {
  @ApiPropertyOptional({ format: 'uuid', description: 'kept across projects and instances; generated when absent' })
  @IsOptional()
  @IsUUID()
  uuid?: string;

  @ApiProperty({ example: 'orders-api', minLength: 1, maxLength: 128 })
  @IsString()
  @Length(1, 128, { message: 'name must be between 1 and 128 characters' })
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiPropertyOptional({ enum: PROXY_TYPES, default: 'REST' })
  @IsOptional()
  @IsIn(PROXY_TYPES as unknown as string[])
  type?: string;

  @ApiProperty({ example: '/orders' })
  @IsString()
  @MaxLength(512)
  @Matches(PATH_PATTERN, { message: 'basePath must start with "/" and hold no spaces, "?" or "#"' })
  basePath!: string;

  @ApiPropertyOptional({ example: 'v1' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  version?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiProperty({ type: [EndpointModel] })
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => EndpointModel)
  endpoints!: EndpointModel[];

  @ApiPropertyOptional({ type: PolicyFlowsModel, description: 'proxy-level flows, run around every endpoint' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyFlowsModel)
  policies?: PolicyFlowsModel;

  @ApiProperty({ type: RoutingModel })
  @ValidateNested()
  @Type(() => RoutingModel)
  routing!: RoutingModel;

  @ApiPropertyOptional({ type: CacheModel })
  @IsOptional()
  @ValidateNested()
  @Type(() => CacheModel)
  cache?: CacheModel;

  @ApiPropertyOptional({ type: CorsModel })
  @IsOptional()
  @ValidateNested()
  @Type(() => CorsModel)
  cors?: CorsModel;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  maintenanceMode?: boolean;

  @ApiPropertyOptional({ type: [ResourceModel] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ResourceModel)
  resources?: ResourceModel[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ type: SharedPolicyRefModel, description: 'the API this proxy is a version of (versions share the first version as their root)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SharedPolicyRefModel)
  versionOf?: SharedPolicyRefModel;

  @ApiPropertyOptional({ type: [ApiAdminModel], description: 'users who administer this API' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ApiAdminModel)
  admins?: ApiAdminModel[];

  @ApiPropertyOptional({ type: SharedPolicyRefModel, description: 'the alias (kind PKI) holding this API\'s certificate and, as a secret, its private key' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SharedPolicyRefModel)
  pki?: SharedPolicyRefModel;
}
