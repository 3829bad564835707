import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { readOpenApiDocument, validateExportedDocument } from './document-reader.js';
import { serializeDocument } from './document-writer.js';
import { X_ANY_METHOD, X_API_PROXIES, X_API_PROXY, X_OPERATION, X_POLICIES, type Define, type OasVersion } from './extensions.js';
import { openApiToProxies } from './openapi-to-proxies.js';
import { proxiesToOpenApi } from './proxies-to-openapi.js';
import type { ProxyDocument } from './proxy-shape.js';

function orders(): ProxyDocument {
  return {
    uuid: '0b7e4a52-3f0e-4e7e-9a59-2f9d7c1e6a10',
    name: 'orders',
    type: 'REST',
    basePath: '/orders',
    version: 'v2',
    description: 'Orders of the shop',
    endpoints: [
      { method: 'GET', path: '/items', operation: 'listItems', policies: { request: [{ name: 'auth', type: 'API_KEY', config: { header: 'x-api-key' } }] } },
      { method: 'POST', path: '/items', operation: 'createItem' },
      { method: 'GET', path: '/items/{id}', operation: 'getItem' },
      { method: 'ANY', path: '/raw', operation: 'passThrough' },
      { method: 'DELETE', path: '/' },
    ],
    policies: { request: [{ name: 'quota', type: 'QUOTA', config: { limit: 10 } }] },
    routing: { algorithm: 'WEIGHTED_ROUND_ROBIN', addressList: [{ address: 'http://10.0.0.1:9001', weight: 3 }, { address: 'http://10.0.0.2:9001' }], timeoutMs: 5000 },
    cache: { enabled: true, ttlSeconds: 30 },
    cors: { enabled: true, allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'] },
    maintenanceMode: true,
    scopes: ['orders:read'],
  };
}

function billing(): ProxyDocument {
  return {
    uuid: '5d1f8c1e-8a55-4c4a-9d0e-55b1e0f0f2aa',
    name: 'billing',
    basePath: '/billing',
    endpoints: [{ method: 'GET', path: '/items', operation: 'listItems' }],
    routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'https://billing.internal' }] },
  };
}

const exportOf = (proxies: ProxyDocument[], oasVersion: OasVersion, define: Define) =>
  proxiesToOpenApi(proxies, { oasVersion, define, title: 'shop', description: 'the shop group', version: '2026-11-24T05:00:00.000Z' });

/** Import back what an export wrote: the proxies with the endpoints their operations carry. */
async function reimport(text: string): Promise<ProxyDocument[]> {
  const read = await readOpenApiDocument(text);
  const converted = openApiToProxies(read.document, read.version);
  return converted.proxies.map((proxy, index) => ({
    ...proxy,
    endpoints: converted.operations.filter((o) => o.proxy === index).map((o) => o.endpoint as ProxyDocument['endpoints'][number]),
  }));
}

const byRoute = (a: { method: string; path: string }, b: { method: string; path: string }) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`);

describe('proxies → OpenAPI', () => {
  for (const oasVersion of ['2.0', '3.0'] as const) {
    for (const define of ['spec', 'proxy', 'all'] as const) {
      it(`writes a document swagger-parser validates (${oasVersion}, define=${define}, json and yaml)`, async () => {
        const { document, warnings, operations } = exportOf([orders(), billing()], oasVersion, define);
        expect(operations).toBe(6);
        expect(warnings).toEqual([]);
        await expect(validateExportedDocument(document)).resolves.toBeUndefined();
        const yaml = parseYaml(serializeDocument(document, 'yaml'));
        expect(yaml).toEqual(JSON.parse(serializeDocument(document, 'json')));
        await expect(validateExportedDocument(yaml)).resolves.toBeUndefined();
      });
    }
  }

  it('puts version and title in info, gateway paths in paths and the ANY endpoint under x-apigateway-any-method', () => {
    const { document } = exportOf([orders()], '3.0', 'spec');
    expect(document.openapi).toBe('3.0.3');
    expect(document.info).toEqual({ title: 'shop', description: 'the shop group', version: '2026-11-24T05:00:00.000Z' });
    const paths = document.paths as Record<string, Record<string, any>>;
    expect(Object.keys(paths).sort()).toEqual(['/orders', '/orders/items', '/orders/items/{id}', '/orders/raw']);
    expect(paths['/orders/raw'][X_ANY_METHOD].operationId).toBe('passThrough');
    expect(paths['/orders/items/{id}'].get.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  it('define=spec writes no gateway extension; define=proxy adds the backend; define=all adds policies, cache, CORS and maintenance', () => {
    const spec = JSON.stringify(exportOf([orders()], '2.0', 'spec').document);
    expect(spec).not.toContain('x-apigateway-api');
    expect(spec).not.toContain(X_POLICIES);

    const proxy = exportOf([orders()], '2.0', 'proxy').document;
    const [proxyEntry] = proxy[X_API_PROXIES] as any[];
    expect(proxyEntry).toEqual({
      uuid: orders().uuid,
      name: 'orders',
      type: 'REST',
      basePath: '/orders',
      version: 'v2',
      description: 'Orders of the shop',
      backend: orders().routing,
    });
    expect((proxy.paths as any)['/orders/items'].get[X_API_PROXY]).toBe('orders');
    expect((proxy.paths as any)['/orders/items'].get[X_POLICIES]).toBeUndefined();

    const all = exportOf([orders()], '2.0', 'all').document;
    const [allEntry] = all[X_API_PROXIES] as any[];
    expect(allEntry).toMatchObject({ policies: orders().policies, cache: orders().cache, cors: orders().cors, maintenanceMode: true, scopes: ['orders:read'] });
    expect((all.paths as any)['/orders/items'].get[X_POLICIES]).toEqual(orders().endpoints[0].policies);
  });

  it('keeps operationIds unique across proxies and keeps the original name in x-apigateway-operation', () => {
    const { document } = exportOf([orders(), billing()], '3.0', 'proxy');
    const paths = document.paths as Record<string, Record<string, any>>;
    expect(paths['/billing/items'].get.operationId).toBe('listItems');
    expect(paths['/orders/items'].get.operationId).toBe('listItems_2');
    expect(paths['/orders/items'].get[X_OPERATION]).toBe('listItems');
  });

  it('warns about what a document cannot carry: resources, and a route two proxies share', () => {
    const shadow = { ...billing(), name: 'shadow', uuid: undefined, basePath: '/billing', resources: [{ name: 'README.md', content: 'hi' }] };
    const { warnings, operations } = exportOf([billing(), shadow], '3.0', 'proxy');
    expect(operations).toBe(1);
    expect(warnings).toEqual([
      'API proxy "shadow" has 1 documentation resource(s); an OpenAPI document does not carry them.',
      'GET /billing/items of API proxy "shadow" is left out: API proxy "billing" already defines that route in this document.',
    ]);
  });

  for (const oasVersion of ['2.0', '3.0'] as const) {
    for (const format of ['json', 'yaml'] as const) {
      it(`round trip proxy → ${oasVersion} ${format} (define=all) → proxy gives the same proxies`, async () => {
        const source = [orders(), billing()];
        const { document } = exportOf(source, oasVersion, 'all');
        const back = await reimport(serializeDocument(document, format));
        const normalise = (p: ProxyDocument) => ({ ...p, endpoints: [...p.endpoints].sort(byRoute) });
        expect(back.map(normalise)).toEqual([billing(), orders()].map(normalise));
      });
    }
  }

  it('round trip with define=proxy keeps identity, endpoints and backend and nothing of define=all', async () => {
    const [back] = await reimport(serializeDocument(exportOf([orders()], '3.0', 'proxy').document, 'yaml'));
    const { policies: _p, cache: _c, cors: _o, maintenanceMode: _m, scopes: _s, ...kept } = orders();
    expect({ ...back, endpoints: [...back.endpoints].sort(byRoute) }).toEqual({
      ...kept,
      endpoints: kept.endpoints.map(({ policies: _x, ...e }) => e).sort(byRoute),
    });
  });
});
