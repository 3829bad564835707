import type { DeployDriver, DeployEnvironment, DeployableProxy, DriverOutcome } from './deploy-driver.js';

export const HTTP_DRIVER_TIMEOUT_MS = 10_000;

/** Settings of an `http` environment: the gateway admin API the definition is pushed to. */
export function httpAdminUrlProblem(settings: Record<string, unknown> | undefined): string | undefined {
  const adminUrl = settings?.adminUrl;
  if (typeof adminUrl !== 'string' || adminUrl.length === 0) return 'settings.adminUrl is required for the http driver';
  try {
    const url = new URL(adminUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'settings.adminUrl must be an http(s) URL';
  } catch {
    return 'settings.adminUrl must be an http(s) URL';
  }
  return undefined;
}

/**
 * Pushes the proxy definition to a gateway admin URL: `PUT {adminUrl}/proxies/{uuid}` to
 * deploy, `DELETE` to undeploy. A 2xx is success; otherwise the gateway's own message.
 */
export class HttpDeployDriver implements DeployDriver {
  constructor(private readonly timeoutMs = HTTP_DRIVER_TIMEOUT_MS) {}

  deploy(env: DeployEnvironment, proxy: DeployableProxy): Promise<DriverOutcome> {
    return this.call(env, 'PUT', proxy, JSON.stringify(proxy));
  }

  undeploy(env: DeployEnvironment, proxy: DeployableProxy): Promise<DriverOutcome> {
    return this.call(env, 'DELETE', proxy);
  }

  private async call(env: DeployEnvironment, method: 'PUT' | 'DELETE', proxy: DeployableProxy, body?: string): Promise<DriverOutcome> {
    const problem = httpAdminUrlProblem(env.settings);
    if (problem) return { success: false, message: `Environment "${env.name}" is not configured: ${problem}.` };
    const url = `${String(env.settings.adminUrl).replace(/\/+$/, '')}/proxies/${encodeURIComponent(proxy.uuid)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        redirect: 'manual',
        headers: body ? { 'content-type': 'application/json' } : {},
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return { success: false, message: timedOut ? `The gateway did not answer within ${this.timeoutMs / 1000} s.` : `The gateway could not be reached: ${causeOf(err)}.` };
    }
    const text = await response.text().catch(() => '');
    const verb = method === 'PUT' ? 'deployed' : 'undeployed';
    if (response.status >= 200 && response.status < 300) return { success: true, message: `${verb} revision ${proxy.revision}` };
    return { success: false, message: `The gateway answered ${response.status}: ${messageOf(text) ?? (response.statusText || 'no reason given')}` };
  }
}

function messageOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const value = parsed.message ?? parsed.error;
    if (typeof value === 'string' && value.length > 0) return value.slice(0, 500);
  } catch {
    // not JSON: fall back to the status text
  }
  return undefined;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
