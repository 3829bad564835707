import { randomBytes } from 'node:crypto';
import type { ApiClient } from './http.js';

/** Test data through the public API; every name is unique so tests never share data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function proxyBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const name = (overrides.name as string) ?? uniqueName('proxy');
  return {
    name,
    basePath: `/${name}`,
    version: 'v1',
    endpoints: [
      { method: 'GET', path: '/items', operation: 'listItems', policies: { request: [{ name: 'auth', type: 'API_KEY', config: { header: 'x-api-key' } }] } },
      { method: 'POST', path: '/items', operation: 'createItem' },
    ],
    routing: { algorithm: 'WEIGHTED_ROUND_ROBIN', addressList: [{ address: 'http://127.0.0.1:9001', weight: 3 }, { address: 'http://127.0.0.1:9002' }] },
    cors: { enabled: true, allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'] },
    cache: { enabled: false },
    maintenanceMode: false,
    scopes: ['items:read'],
    ...overrides,
  };
}

export async function createProject(admin: ApiClient, name = uniqueName('project')): Promise<string> {
  const answer = await admin.post('/v1/projects', { name });
  if (answer.status !== 201) throw new Error(`project creation failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return name;
}

export async function createProxy(client: ApiClient, project: string, overrides: Record<string, unknown> = {}): Promise<any> {
  const answer = await client.post(`/v1/projects/${project}/apiProxies`, proxyBody(overrides));
  if (answer.status !== 201) throw new Error(`proxy creation failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function createToken(admin: ApiClient, grants: { project: string; permission: string }[], name = uniqueName('token')): Promise<string> {
  const answer = await admin.post('/v1/tokens', { name, grants });
  if (answer.status !== 201) throw new Error(`token creation failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token as string;
}
