import type { DeployableProxy } from './deploy-driver.js';

/** Settings of an `nginx` environment: the directory the driver owns and the port the gateway listens on. */
export interface NginxSettings {
  configDir: string;
  listenPort: number;
  /** The address the gateway listens on (127.0.0.1 unless given). */
  listenAddress?: string;
}

export function listenAddressOf(settings: NginxSettings): string {
  return settings.listenAddress ?? '127.0.0.1';
}

export function nginxSettingsProblem(settings: Record<string, unknown> | undefined): string | undefined {
  if (typeof settings?.configDir !== 'string' || !settings.configDir.startsWith('/')) return 'settings.configDir must be an absolute directory path';
  if (!/^[A-Za-z0-9._\/-]+$/.test(settings.configDir)) return 'settings.configDir may hold only letters, digits, ".", "_", "-" and "/"';
  const port = settings.listenPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return 'settings.listenPort must be a port number';
  const address = settings.listenAddress;
  if (address !== undefined && (typeof address !== 'string' || !/^[0-9.]+$|^\[[0-9a-fA-F:]+\]$/.test(address))) return 'settings.listenAddress must be an IPv4 address or a bracketed IPv6 address';
  return undefined;
}

/**
 * The main configuration: a private instance whose proxies live in `proxyDir`, one
 * `<uuid>.conf` (upstream, http level) and one `<uuid>.locations` (server level) each.
 */
export function renderMainConfig(settings: NginxSettings, proxyDir: string): string {
  const dir = settings.configDir;
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${proxyDir}/*.conf;
  server {
    listen ${listenAddressOf(settings)}:${settings.listenPort};
    default_type application/json;
    location / { return 404 '{"error":"no API proxy at this path"}'; }
    include ${proxyDir}/*.locations;
  }
}
`;
}

const ALGORITHM_DIRECTIVES: Record<string, string> = {
  ROUND_ROBIN: '',
  WEIGHTED_ROUND_ROBIN: '',
  LEAST_CONNECTIONS: 'least_conn;',
  RANDOM: 'random;',
  IP_HASH: 'ip_hash;',
  URL_HASH: 'hash $request_uri consistent;',
};

export function upstreamName(proxy: DeployableProxy): string {
  return `apiferry_${proxy.uuid.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Values that reach the configuration must not be able to break out of it. */
function safe(value: string, what: string): string {
  if (!/^[A-Za-z0-9 ._~:\/*,+=@-]*$/.test(value)) throw new Error(`${what} "${value}" holds characters the nginx driver cannot write into a configuration`);
  return value;
}

interface Routing {
  algorithm?: string;
  addressList?: { address: string; weight?: number }[];
  timeoutMs?: number;
}

interface Cache {
  enabled?: boolean;
  ttlSeconds?: number;
}

/** The keys_zone of a proxy's response cache. */
export function cacheZoneName(proxy: DeployableProxy): string {
  return `apiferry_cache_${proxy.uuid.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Where a proxy's response cache lives: `<configDir>/cache/<uuid>`. */
export function cacheDirOf(configDir: string, proxy: DeployableProxy): string {
  return `${configDir.replace(/\/+$/, '')}/cache/${safe(proxy.uuid, 'proxy uuid')}`;
}

/** The proxy's cache settings when its response cache is enabled (and it is not in maintenance). */
export function enabledCache(proxy: DeployableProxy): { ttlSeconds: number } | undefined {
  const cache = proxy.cache as Cache | undefined;
  if (cache?.enabled !== true || proxy.maintenanceMode === true) return undefined;
  const ttl = cache.ttlSeconds ?? 60;
  if (!Number.isInteger(ttl) || ttl < 1) throw new Error(`cache ttlSeconds ${ttl} must be a whole number of seconds above 0`);
  return { ttlSeconds: ttl };
}

interface Cors {
  enabled?: boolean;
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  allowCredentials?: boolean;
}

/**
 * The two files of one proxy; throws when the proxy cannot be expressed as nginx configuration.
 * The `.conf` file is included at http level, so it also carries the `proxy_cache_path` of a
 * proxy whose response cache is enabled (its directory under `configDir`).
 */
export function renderProxy(proxy: DeployableProxy, configDir?: string): { upstream: string; locations: string } {
  const routing = (proxy.routing ?? {}) as Routing;
  const addresses = routing.addressList ?? [];
  if (addresses.length === 0) throw new Error('the proxy has no backend address to route to');
  const algorithm = routing.algorithm ?? 'ROUND_ROBIN';
  if (!(algorithm in ALGORITHM_DIRECTIVES)) throw new Error(`routing algorithm ${algorithm} is not supported by the nginx driver`);
  const parsed = addresses.map((a) => ({ url: new URL(a.address), weight: a.weight }));
  const scheme = parsed[0].url.protocol.replace(':', '');
  const path = parsed[0].url.pathname.replace(/\/+$/, '');
  const servers = parsed.map(({ url, weight }) => {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const weighted = algorithm === 'WEIGHTED_ROUND_ROBIN' && weight ? ` weight=${weight}` : '';
    return `  server ${safe(url.hostname, 'backend host')}:${port}${weighted};`;
  });
  const directive = ALGORITHM_DIRECTIVES[algorithm];
  let upstream = `upstream ${upstreamName(proxy)} {\n${directive ? `  ${directive}\n` : ''}${servers.join('\n')}\n}\n`;
  const cache = enabledCache(proxy);
  if (cache) {
    if (!configDir) throw new Error('a response cache needs the environment configDir');
    upstream += `proxy_cache_path ${cacheDirOf(safe(configDir, 'configDir'), proxy)} levels=1:2 keys_zone=${cacheZoneName(proxy)}:1m max_size=64m inactive=${Math.max(cache.ttlSeconds, 600)}s use_temp_path=off;\n`;
  }

  const basePath = safe(proxy.basePath.replace(/\/+$/, ''), 'base path');
  if (!basePath.startsWith('/')) throw new Error(`base path "${proxy.basePath}" must start with "/"`);
  const headers = [`add_header X-Apiferry-Proxy "${proxy.uuid};rev=${proxy.revision}" always;`, ...corsHeaders(proxy.cors as Cors | undefined)];
  const cors = proxy.cors as Cors | undefined;
  const body: string[] = [...headers];
  if (proxy.maintenanceMode === true) {
    body.push('default_type application/json;', `return 503 '{"error":"maintenance","message":"API proxy ${safe(proxy.name, 'proxy name')} is in maintenance"}';`);
  } else {
    if (cors?.enabled) body.push('if ($request_method = OPTIONS) { return 204; }');
    const timeout = routing.timeoutMs ? `${Math.ceil(routing.timeoutMs / 1000)}s` : '60s';
    body.push(
      `proxy_pass ${scheme}://${upstreamName(proxy)}${safe(path, 'backend path')}/;`,
      'proxy_set_header Host $proxy_host;',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      `proxy_read_timeout ${timeout};`,
      `proxy_connect_timeout ${timeout};`,
    );
    if (cache) {
      // The revision in the key: a redeployed proxy never answers from its previous revision's cache.
      body.push(`proxy_cache ${cacheZoneName(proxy)};`, `proxy_cache_key "$scheme$proxy_host$request_uri rev=${proxy.revision}";`, `proxy_cache_valid 200 ${cache.ttlSeconds}s;`, 'add_header X-Cache-Status $upstream_cache_status;');
    }
  }
  const locations = `location ^~ ${basePath}/ {\n${body.map((l) => `  ${l}`).join('\n')}\n}\n`;
  return { upstream, locations };
}

function corsHeaders(cors: Cors | undefined): string[] {
  if (!cors?.enabled) return [];
  const origins = cors.allowOrigins?.length ? cors.allowOrigins : ['*'];
  const headers = [`add_header Access-Control-Allow-Origin "${safe(origins.join(' '), 'CORS origin')}" always;`];
  if (cors.allowMethods?.length) headers.push(`add_header Access-Control-Allow-Methods "${safe(cors.allowMethods.join(', '), 'CORS method')}" always;`);
  if (cors.allowHeaders?.length) headers.push(`add_header Access-Control-Allow-Headers "${safe(cors.allowHeaders.join(', '), 'CORS header')}" always;`);
  if (cors.exposeHeaders?.length) headers.push(`add_header Access-Control-Expose-Headers "${safe(cors.exposeHeaders.join(', '), 'CORS header')}" always;`);
  if (cors.allowCredentials) headers.push('add_header Access-Control-Allow-Credentials "true" always;');
  return headers;
}
