import { describe, expect, it } from '@jest/globals';
import { planOpenApiImport } from './import-plan.js';
import { openApiToProxies } from './openapi-to-proxies.js';
import type { ProxyDocument } from './proxy-shape.js';

const EXISTING: ProxyDocument & { uuid: string } = {
  uuid: '11111111-1111-4111-8111-111111111111',
  name: 'Shop',
  basePath: '/shop',
  endpoints: [{ method: 'GET', path: '/items', operation: 'oldList' }],
  routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://old.internal' }] },
  cors: { enabled: false },
};

/** A foreign 3.0 document for proxy "Shop": GET /items (clashes) and POST /items (new). */
function shopDocument(servers = [{ url: 'https://new.internal/shop' }]) {
  return openApiToProxies(
    {
      openapi: '3.0.3',
      info: { title: 'Shop', version: '2' },
      servers,
      paths: { '/items': { get: { operationId: 'newList', responses: {} }, post: { operationId: 'create', responses: {} } } },
    },
    '3.0',
  );
}

let counter = 0;
const newUuid = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

describe('OpenAPI import plan', () => {
  it('api_mode=merge keeps an existing operation (ignore) and adds the new one; extend_mode=merge keeps the backend', () => {
    const plan = planOpenApiImport(shopDocument(), [EXISTING], { apiMode: 'merge', extendMode: 'merge' }, newUuid);
    expect(plan.outcomes).toEqual([
      { path: '/items', method: 'GET', outcome: 'ignore', proxyUuid: EXISTING.uuid },
      { path: '/items', method: 'POST', outcome: 'success', action: 'create', proxyUuid: EXISTING.uuid },
    ]);
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]).toMatchObject({ action: 'replace', operations: [1] });
    expect(plan.writes[0].doc.routing).toEqual(EXISTING.routing);
    expect(plan.writes[0].doc.endpoints).toEqual([
      { method: 'GET', path: '/items', operation: 'oldList' },
      { method: 'POST', path: '/items', operation: 'create' },
    ]);
  });

  it('api_mode=override replaces the existing operation in place; extend_mode=override takes the document backend', () => {
    const plan = planOpenApiImport(shopDocument(), [EXISTING], { apiMode: 'override', extendMode: 'override' }, newUuid);
    expect(plan.outcomes.map((o) => [o.method, o.outcome, o.action])).toEqual([
      ['GET', 'success', 'update'],
      ['POST', 'success', 'create'],
    ]);
    expect(plan.writes[0].doc.endpoints[0]).toEqual({ method: 'GET', path: '/items', operation: 'newList' });
    expect(plan.writes[0].doc.routing).toEqual({ algorithm: 'ROUND_ROBIN', addressList: [{ address: 'https://new.internal/shop' }] });
    expect(plan.writes[0].doc.cors).toEqual({ enabled: false });
  });

  it('creates a new proxy in an empty project with every operation', () => {
    const plan = planOpenApiImport(shopDocument(), [], { apiMode: 'merge', extendMode: 'merge' }, newUuid);
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0].action).toBe('create');
    expect(plan.writes[0].doc).toMatchObject({ name: 'Shop', basePath: '/shop', endpoints: [{ method: 'GET' }, { method: 'POST' }] });
    expect(plan.outcomes.every((o) => o.outcome === 'success' && o.action === 'create' && o.proxyUuid === plan.writes[0].doc.uuid)).toBe(true);
  });

  it('fails every operation of a new proxy that has no backend, and writes nothing', () => {
    const plan = planOpenApiImport(shopDocument([]), [], { apiMode: 'merge', extendMode: 'merge' }, newUuid);
    expect(plan.writes).toEqual([]);
    expect(plan.outcomes.map((o) => [o.outcome, o.error?.code])).toEqual([
      ['failure', 'no-backend'],
      ['failure', 'no-backend'],
    ]);
  });
});
