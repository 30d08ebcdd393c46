import ipaddrjs from 'ipaddr.js';
import { FilterError, pyStr } from './filters-python.js';

/**
 * The common part of ansible.utils' `ipaddr`, `ipv4` and `ipv6` filters: is this an address or a
 * network (the value, or False), and its address, network, netmask, prefix, broadcast, size. The
 * text is parsed by ipaddr.js; unlike netaddr, shortened IPv4 forms (`10.1`, `010.1.1.1`) are not
 * addresses here.
 */

interface Net {
  version: 4 | 6;
  ip: bigint;
  prefix: number;
  width: number;
  /** `network` when the value was written with a prefix (it prints as addr/prefix). */
  vtype: 'address' | 'network';
}

function parseAddr(s: string): { version: 4 | 6; ip: bigint } | undefined {
  let a;
  if (ipaddrjs.IPv4.isValidFourPartDecimal(s)) a = ipaddrjs.IPv4.parse(s);
  else if (!s.includes('%') && ipaddrjs.IPv6.isValid(s)) a = ipaddrjs.IPv6.parse(s);
  else return undefined;
  const ip = a.toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  return { version: a.kind() === 'ipv4' ? 4 : 6, ip };
}

function parse(value: unknown): Net | undefined {
  const s = pyStr(value).trim();
  if (/^\d+$/.test(s)) {
    const ip = BigInt(s);
    if (ip < 2n ** 32n) return { version: 4, ip, prefix: 32, width: 32, vtype: 'address' };
    if (ip < 2n ** 128n) return { version: 6, ip, prefix: 128, width: 128, vtype: 'address' };
    return undefined;
  }
  const [addr, pfx, ...rest] = s.split('/');
  if (rest.length) return undefined;
  const a = parseAddr(addr);
  if (!a) return undefined;
  const width = a.version === 4 ? 32 : 128;
  if (pfx === undefined) return { ...a, prefix: width, width, vtype: 'address' };
  let prefix: number | null;
  if (/^\d+$/.test(pfx)) prefix = Number(pfx);
  else if (a.version === 4 && ipaddrjs.IPv4.isValidFourPartDecimal(pfx))
    prefix = ipaddrjs.IPv4.parse(pfx).prefixLengthFromSubnetMask();
  else prefix = null;
  if (prefix === null || prefix > width) return undefined;
  return { ...a, prefix, width, vtype: 'network' };
}

function text(n: bigint, version: 4 | 6): string {
  const bytes: number[] = [];
  for (let i = version === 4 ? 3 : 15; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  return ipaddrjs.fromByteArray(bytes).toString();
}

const mask = (v: Net): bigint => ((1n << BigInt(v.width)) - 1n) ^ ((1n << BigInt(v.width - v.prefix)) - 1n);
const network = (v: Net): bigint => v.ip & mask(v);
const size = (v: Net): bigint => 1n << BigInt(v.width - v.prefix);
/** netaddr has no broadcast address for a /31 or /32 (/127, /128). */
const broadcast = (v: Net): bigint | undefined => (v.width - v.prefix <= 1 ? undefined : network(v) | (size(v) - 1n));

const QUERIES: Record<string, (v: Net, value: unknown) => unknown> = {
  '': (v) => (v.vtype === 'address' ? text(v.ip, v.version) : `${text(v.ip, v.version)}/${v.prefix}`),
  address: (v) => address(v),
  ip: (v) => address(v),
  network: (v) => text(network(v), v.version),
  netmask: (v) => text(mask(v), v.version),
  prefix: (v) => v.prefix,
  broadcast: (v) => (size(v) > 2n ? text(broadcast(v)!, v.version) : null),
  'network/prefix': (v) => `${text(network(v), v.version)}/${v.prefix}`,
  subnet: (v) => `${text(network(v), v.version)}/${v.prefix}`,
  host: (v) =>
    size(v) === 1n
      ? `${text(v.ip, v.version)}/${v.prefix}`
      : v.ip !== network(v) || broadcast(v) === undefined
        ? `${text(v.ip, v.version)}/${v.prefix}`
        : null,
  net: (v) => (size(v) > 1n && v.ip === network(v) ? `${text(network(v), v.version)}/${v.prefix}` : null),
  size: (v) => Number(size(v)),
  version: (v) => v.version,
};

function address(v: Net): string | null {
  if (size(v) === 1n) return text(v.ip, v.version);
  if (v.ip !== network(v) || broadcast(v) === undefined || v.version === 6) return text(v.ip, v.version);
  return null;
}

/** ipaddr(value, query=''): lists are filtered; an invalid value is False. */
export function ipaddr(value: unknown, query: unknown = '', version?: 4 | 6): unknown {
  if (Array.isArray(value))
    return value
      .map((x) => ipaddr(x, query, version))
      .filter((x) => x !== false && x !== null && x !== '' && x !== undefined);
  if (!value || value === true) return false;
  const v = parse(value);
  if (!v) return false;
  const q = query == null ? '' : pyStr(query);
  if (version && v.version !== version) return false;
  if (Object.hasOwn(QUERIES, q)) return QUERIES[q](v, value);
  // a network as the query: the value when it lies inside it
  const within = parse(q);
  if (within && within.vtype === 'network') {
    return within.version === v.version &&
      network({ ...v, prefix: within.prefix }) === network(within) &&
      v.prefix >= within.prefix
      ? value
      : null;
  }
  throw new FilterError(
    `ipaddr: unknown filter type: ${q} (lbprov knows ${Object.keys(QUERIES).filter(Boolean).join(', ')}, or a network such as 10.0.0.0/8)`,
  );
}
