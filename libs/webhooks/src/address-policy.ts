import { isIP } from 'node:net';

/** An address as a number: IPv4 in 32 bits, IPv6 in 128. */
interface ParsedAddress {
  version: 4 | 6;
  value: bigint;
}

interface Block {
  version: 4 | 6;
  base: bigint;
  prefix: number;
}

interface NamedBlock extends Block {
  kind: string;
}

/**
 * Ranges a webhook may never reach unless the operator allow-lists them: everything that is
 * not the public internet. Order matters only for the name reported.
 */
const FORBIDDEN: NamedBlock[] = [
  ...(
    [
      ['0.0.0.0/8', 'unspecified ("this network")'],
      ['10.0.0.0/8', 'private'],
      ['100.64.0.0/10', 'shared (carrier-grade NAT)'],
      ['127.0.0.0/8', 'loopback'],
      ['169.254.0.0/16', 'link-local'],
      ['172.16.0.0/12', 'private'],
      ['192.0.0.0/24', 'IETF protocol assignment'],
      ['192.0.2.0/24', 'documentation'],
      ['192.88.99.0/24', '6to4 relay'],
      ['192.168.0.0/16', 'private'],
      ['198.18.0.0/15', 'benchmarking'],
      ['198.51.100.0/24', 'documentation'],
      ['203.0.113.0/24', 'documentation'],
      ['224.0.0.0/4', 'multicast'],
      ['240.0.0.0/4', 'reserved or broadcast'],
      ['::/128', 'unspecified'],
      ['::1/128', 'loopback'],
      ['::/96', 'IPv4-compatible'],
      ['64:ff9b:1::/48', 'local-use NAT64'],
      ['100::/64', 'discard-only'],
      ['2001::/32', 'Teredo'],
      ['2001:db8::/32', 'documentation'],
      ['fc00::/7', 'unique-local'],
      ['fe80::/10', 'link-local'],
      ['fec0::/10', 'site-local'],
      ['ff00::/8', 'multicast'],
    ] as const
  ).map(([cidr, kind]) => ({ ...parseBlock(cidr), kind })),
];

/** IPv6 ranges that carry an IPv4 address: the IPv4 address inside decides. */
const IPV4_MAPPED = parseBlock('::ffff:0:0/96');
const NAT64 = parseBlock('64:ff9b::/96');
const SIX_TO_FOUR = parseBlock('2002::/16');

export interface AddressVerdict {
  allowed: boolean;
  /** Why the address is refused: "private", "loopback"... */
  kind?: string;
}

/**
 * Decides whether a webhook may connect to an address: public unicast addresses pass;
 * private, loopback, link-local, unique-local, multicast, unspecified and other special
 * ranges (IPv4 and IPv6, including IPv6 forms that embed an IPv4 address) are refused,
 * unless an operator listed the address in WEBHOOK_ALLOWED_HOSTS.
 */
export class AddressPolicy {
  private readonly allowed: Block[];

  /** `allowList`: IP addresses and CIDR blocks (validated with the configuration). */
  constructor(allowList: readonly string[] = []) {
    this.allowed = allowList.map((entry) => parseBlock(entry.includes('/') ? entry : `${entry}/${isIP(entry) === 4 ? 32 : 128}`));
  }

  verdict(address: string): AddressVerdict {
    const parsed = parseAddress(address);
    if (!parsed) return { allowed: false, kind: 'malformed' };
    const effective = unmapIPv4(parsed);
    if (this.allowed.some((block) => contains(block, effective))) return { allowed: true };
    const forbidden = forbiddenKind(effective);
    return forbidden ? { allowed: false, kind: forbidden } : { allowed: true };
  }
}

function forbiddenKind(address: ParsedAddress): string | undefined {
  const named = FORBIDDEN.find((block) => contains(block, address));
  if (named) return named.kind;
  if (contains(NAT64, address)) return prefixed('NAT64 of a', forbiddenKind({ version: 4, value: address.value & 0xffffffffn }));
  if (contains(SIX_TO_FOUR, address)) return prefixed('6to4 of a', forbiddenKind({ version: 4, value: (address.value >> 80n) & 0xffffffffn }));
  return undefined;
}

function prefixed(prefix: string, kind: string | undefined): string | undefined {
  return kind === undefined ? undefined : `${prefix} ${kind}`;
}

/** ::ffff:a.b.c.d is a.b.c.d: the kernel connects to the IPv4 address. */
function unmapIPv4(address: ParsedAddress): ParsedAddress {
  return contains(IPV4_MAPPED, address) ? { version: 4, value: address.value & 0xffffffffn } : address;
}

function contains(block: Block, address: ParsedAddress): boolean {
  if (block.version !== address.version) return false;
  const bits = block.version === 4 ? 32 : 128;
  const shift = BigInt(bits - block.prefix);
  return address.value >> shift === block.base >> shift;
}

function parseBlock(cidr: string): Block {
  const [text, prefixText] = cidr.split('/');
  const address = parseAddress(text ?? '');
  const prefix = Number(prefixText);
  if (!address || !Number.isInteger(prefix) || prefix < 0 || prefix > (address.version === 4 ? 32 : 128)) {
    throw new Error(`${JSON.stringify(cidr)} is not a CIDR block`);
  }
  return { version: address.version, base: address.value, prefix };
}

/** Parses a textual IPv4 or IPv6 address (an IPv6 zone id is ignored); undefined if it is none. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const withoutZone = address.split('%')[0] ?? '';
  const version = isIP(withoutZone);
  if (version === 4) return { version: 4, value: ipv4Value(withoutZone) };
  if (version === 6) return { version: 6, value: ipv6Value(withoutZone) };
  return undefined;
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint {
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const pieces = part.split(':');
    const last = pieces.at(-1) ?? '';
    if (!last.includes('.')) return pieces.map((p) => parseInt(p, 16));
    const v4 = Number(ipv4Value(last));
    return [...pieces.slice(0, -1).map((p) => parseInt(p, 16)), v4 >>> 16, v4 & 0xffff];
  };
  const [head = '', tail] = text.split('::');
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return all.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}
