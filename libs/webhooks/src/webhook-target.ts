import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AddressPolicy } from './address-policy.js';

/** A webhook URL that may not be called: bad form, or it leads somewhere forbidden. */
export class WebhookTargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetRefused';
  }
}

/** A URL whose host resolved to `address`, which passed the policy: connect to exactly that. */
export interface CheckedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type HostLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const LOOKUP_TIMEOUT_MS = 5_000;

const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Checks a webhook URL before anything connects to it: http(s) only, no credentials, and
 * every address its host resolves to must pass the address policy. Run at registration
 * and again before every delivery, on the addresses resolved then (DNS may have changed).
 */
export class WebhookTargetGuard {
  constructor(
    private readonly policy: AddressPolicy,
    private readonly lookup: HostLookup = systemLookup,
  ) {}

  async check(rawUrl: string): Promise<CheckedTarget> {
    const url = parseWebhookUrl(rawUrl);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const literal = isIP(host);
    const addresses = literal ? [{ address: host, family: literal }] : await this.resolve(host);
    if (addresses.length === 0) throw new WebhookTargetRefused(`The host ${host} has no addresses.`);
    // Every address must pass: a name that mixes a public and a private address is refused.
    for (const { address } of addresses) {
      const verdict = this.policy.verdict(address);
      if (!verdict.allowed) {
        throw new WebhookTargetRefused(
          literal
            ? `${address} is not a public address (${verdict.kind}); webhooks may not target it.`
            : `The host ${host} resolves to ${address}, which is not a public address (${verdict.kind}); webhooks may not target it.`,
        );
      }
    }
    const chosen = addresses[0] as { address: string; family: number };
    return { url, address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
  }

  private async resolve(host: string): Promise<{ address: string; family: number }[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.lookup(host),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS))),
      ]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new WebhookTargetRefused(`The host ${host} could not be resolved${code ? ` (${code})` : ''}.`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The form rules of a webhook URL, without any network access. */
export function parseWebhookUrl(rawUrl: string): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WebhookTargetRefused('The webhook URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookTargetRefused('A webhook URL must use http or https.');
  // Credentials in a URL end up in logs and listings; receivers verify the signature instead.
  if (url.username || url.password) throw new WebhookTargetRefused('A webhook URL may not carry a user name or password.');
  if (url.hash) throw new WebhookTargetRefused('A webhook URL may not carry a fragment (#...).');
  if (!url.hostname) throw new WebhookTargetRefused('A webhook URL needs a host.');
  return url;
}
