export interface RedisConnectionSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  /** BullMQ workers need blocking commands without a retry limit. */
  maxRetriesPerRequest: null;
}

export function redisConnectionFromUrl(url: string): RedisConnectionSettings {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
    maxRetriesPerRequest: null,
  };
}
