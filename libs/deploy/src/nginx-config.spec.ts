import { describe, expect, it } from '@jest/globals';
import type { DeployableProxy } from './deploy-driver.js';
import { nginxSettingsProblem, renderProxy } from './nginx-config.js';

const proxy = (overrides: Partial<DeployableProxy> = {}): DeployableProxy => ({
  uuid: '11111111-2222-3333-4444-555555555555',
  name: 'shop',
  basePath: '/shop',
  revision: 4,
  routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://10.0.0.1:8080/v1', weight: 3 }, { address: 'http://10.0.0.2:8080' }] },
  ...overrides,
});

describe('nginx configuration of a proxy', () => {
  it.each([
    ['ROUND_ROBIN', undefined],
    ['LEAST_CONNECTIONS', 'least_conn;'],
    ['RANDOM', 'random;'],
    ['IP_HASH', 'ip_hash;'],
    ['URL_HASH', 'hash $request_uri consistent;'],
  ])('renders %s as an upstream with the matching directive', (algorithm, directive) => {
    const { upstream } = renderProxy(proxy({ routing: { algorithm, addressList: [{ address: 'http://10.0.0.1:8080' }] } }));
    expect(upstream).toContain('server 10.0.0.1:8080;');
    if (directive) expect(upstream).toContain(directive);
    else expect(upstream).not.toMatch(/least_conn|random|ip_hash|hash /);
  });

  it('gives weights only for WEIGHTED_ROUND_ROBIN and proxies to the first address path', () => {
    const weighted = renderProxy(proxy({ routing: { algorithm: 'WEIGHTED_ROUND_ROBIN', addressList: [{ address: 'http://10.0.0.1:8080/v1', weight: 3 }, { address: 'http://10.0.0.2:8080' }] } }));
    expect(weighted.upstream).toContain('server 10.0.0.1:8080 weight=3;');
    expect(weighted.locations).toContain('location ^~ /shop/ {');
    expect(weighted.locations).toContain('proxy_pass http://apiferry_11111111222233334444555555555555/v1/;');
    expect(renderProxy(proxy()).upstream).not.toContain('weight=');
  });

  it('answers 503 with a JSON body in maintenance mode, and adds CORS headers', () => {
    const { locations } = renderProxy(proxy({ maintenanceMode: true, cors: { enabled: true, allowOrigins: ['https://app.example.com'], allowMethods: ['GET'] } }));
    expect(locations).toContain(`return 503 '{"error":"maintenance"`);
    expect(locations).not.toContain('proxy_pass');
    expect(locations).toContain('add_header Access-Control-Allow-Origin "https://app.example.com" always;');
    expect(locations).toContain('add_header Access-Control-Allow-Methods "GET" always;');
  });

  it('renders a response cache per proxy when cache is enabled', () => {
    const { upstream, locations } = renderProxy(proxy({ cache: { enabled: true, ttlSeconds: 30 } }), '/var/lib/apiferry/nginx');
    expect(upstream).toContain('proxy_cache_path /var/lib/apiferry/nginx/cache/11111111-2222-3333-4444-555555555555 levels=1:2 keys_zone=apiferry_cache_11111111222233334444555555555555:1m');
    expect(locations).toContain('proxy_cache apiferry_cache_11111111222233334444555555555555;');
    expect(locations).toContain('proxy_cache_valid 200 30s;');
    expect(locations).toContain('add_header X-Cache-Status $upstream_cache_status;');
    const off = renderProxy(proxy({ cache: { enabled: false, ttlSeconds: 30 } }), '/var/lib/apiferry/nginx');
    expect(off.upstream).not.toContain('proxy_cache');
    expect(off.locations).not.toContain('proxy_cache');
    expect(renderProxy(proxy({ cache: { enabled: true } }), '/x').locations).toContain('proxy_cache_valid 200 60s;');
    expect(() => renderProxy(proxy({ cache: { enabled: true, ttlSeconds: 0 } }), '/x')).toThrow(/ttlSeconds/);
  });

  it('refuses values that would break out of the configuration', () => {
    expect(() => renderProxy(proxy({ basePath: '/shop; return 200' }))).toThrow(/base path/);
    expect(() => renderProxy(proxy({ cors: { enabled: true, allowOrigins: ['x" always; include /etc/passwd; #'] } }))).toThrow(/CORS origin/);
    expect(() => renderProxy(proxy({ routing: { algorithm: 'ROUND_ROBIN', addressList: [] } }))).toThrow(/no backend address/);
  });

  it('checks the environment settings', () => {
    expect(nginxSettingsProblem({ configDir: '/var/lib/apiferry/nginx', listenPort: 8080 })).toBeUndefined();
    expect(nginxSettingsProblem({ configDir: 'relative', listenPort: 8080 })).toMatch(/absolute/);
    expect(nginxSettingsProblem({ configDir: '/x', listenPort: 0 })).toMatch(/listenPort/);
    expect(nginxSettingsProblem({ configDir: '/x', listenPort: 80, listenAddress: '0.0.0.0' })).toBeUndefined();
    expect(nginxSettingsProblem({ configDir: '/x', listenPort: 80, listenAddress: '0.0.0.0; include x' })).toMatch(/listenAddress/);
  });
});
