import { DomainError, ValidationError } from '#core';

export class NotAcceptableError extends DomainError {
  readonly status = 406;
  readonly title = 'Not acceptable';
  readonly code = 'not-acceptable';
}
import type { PackageExportOptions } from '#jobs';

/** The export query parameters, named as the vendor names them. */
export interface PackageQuery {
  exportVersion?: string;
  download?: string;
  'migration.operationalpolicy.export'?: string;
  'migration.qospolicy.export'?: string;
  'migration.pki.export'?: string;
  'migration.export.include.scopes'?: string;
  'migration.export.include.resources'?: string;
  'migration.export.include.api.connections'?: string;
  'migration.export.include.api.admins'?: string;
  'migration.export.include.services'?: string;
  project?: string;
}

export interface PackageOptions extends PackageExportOptions {
  scopes: boolean;
  resources: boolean;
  connections: boolean;
  download: boolean;
}

function flag(query: PackageQuery, name: keyof PackageQuery, fallback: boolean): boolean {
  const raw = query[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ValidationError(`${name} must be true or false.`);
}

/** Every option is off unless asked for, except implementation services (on) and download (on). */
export function packageOptions(query: PackageQuery): PackageOptions {
  return {
    operationalPolicies: flag(query, 'migration.operationalpolicy.export', false),
    qosPolicies: flag(query, 'migration.qospolicy.export', false),
    pki: flag(query, 'migration.pki.export', false),
    scopes: flag(query, 'migration.export.include.scopes', false),
    resources: flag(query, 'migration.export.include.resources', false),
    connections: flag(query, 'migration.export.include.api.connections', false),
    admins: flag(query, 'migration.export.include.api.admins', false),
    services: flag(query, 'migration.export.include.services', true),
    download: flag(query, 'download', true),
  };
}

/** The package is a ZIP: a client that accepts neither it nor anything is answered 406. */
export function acceptsPackage(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .some((type) => ['application/octet-stream', 'application/zip', 'application/*', '*/*'].includes(type));
}
