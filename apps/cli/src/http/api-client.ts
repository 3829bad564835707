import { CliError, describeProblem, ExitCode } from '../cli-error.js';
import { requireToken, type Connection } from '../config/connection.js';

/** JSON requests get this long for an answer; transfers of archives have no overall limit. */
const REQUEST_TIMEOUT_MS = 60_000;

export type Query = Record<string, string | number | undefined>;

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * The apiferry HTTP API over the global fetch. Every failure becomes a CliError: a problem
 * document as `<title>: <detail>` (exit 4 for 401/403), a network failure as "cannot reach"
 * (exit 5).
 */
export class ApiClient {
  constructor(
    readonly connection: Connection,
    private readonly signal: AbortSignal,
  ) {}

  /** The same client for clean-up after Ctrl-C: not tied to the interrupt, bounded in time. */
  detached(timeoutMs = 10_000): ApiClient {
    return new ApiClient(this.connection, AbortSignal.timeout(timeoutMs));
  }

  get server(): string {
    return this.connection.server;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path, {});
  }

  /** Every item of a paginated list, following `nextCursor`. */
  async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<Page<T>>(path, { limit: 500, ...query, cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }

  async request<T>(method: string, path: string, options: { body?: unknown; query?: Query }): Promise<T> {
    const response = await this.send(method, path, options);
    if (!response.ok) throw await problemFrom(response, `${method} ${path}`);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    try {
      return (text.length > 0 ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new CliError(ExitCode.Failed, `${this.server} did not answer JSON to ${method} ${path}; is it an apiferry server?`);
    }
  }

  /** The raw answer (redirects not followed) for callers that handle the status themselves. */
  async send(method: string, path: string, options: { body?: unknown; query?: Query; redirect?: 'manual' } = {}): Promise<Response> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${requireToken(this.connection)}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return guardedFetch(
      url,
      {
        method,
        headers,
        redirect: 'manual',
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.any([this.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      },
      `the apiferry server at ${this.server}`,
    );
  }
}

/** fetch, with network failures and time-outs turned into exit 5 and Ctrl-C passed on as is. */
export async function guardedFetch(url: URL | string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw networkError(err, what);
  }
}

export function networkError(err: unknown, what: string): unknown {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error?.name === 'AbortError') return err;
  if (error?.name === 'TimeoutError') return new CliError(ExitCode.Unreachable, `${what} did not answer in time`);
  const cause = error?.cause;
  let reason = cause?.code ?? cause?.message ?? error?.message ?? String(err);
  if (reason === 'bad port') reason = "the port is on fetch's list of blocked ports";
  return new CliError(ExitCode.Unreachable, `cannot reach ${what}: ${reason}`);
}

/** A non-2xx answer as a CliError carrying its problem document. */
export async function problemFrom(response: Response, what: string): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let problem: Record<string, unknown> | undefined;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      problem = JSON.parse(text) as Record<string, unknown>;
    } catch {
      problem = undefined;
    }
  }
  const fallback = `${what} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const exitCode = response.status === 401 || response.status === 403 ? ExitCode.Auth : ExitCode.Failed;
  return new CliError(exitCode, describeProblem(problem, fallback), problem ?? { status: response.status });
}
