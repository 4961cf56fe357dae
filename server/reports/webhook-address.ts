import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a user's webhook may reach (docs/exports.md, "Webhooks"). A webhook URL is typed by a
 * user, and the worker that posts it sits inside the operator's network: without this check it is a
 * way to reach the metadata service (169.254.169.254), the database or an admin port on loopback
 * (server-side request forgery). Every address a host name resolves to is checked (after DNS, so a
 * name pointing at 127.0.0.1 is refused like the literal), on every redirect, and the connection is
 * then pinned to the checked address (webhook-client.ts).
 *
 * Refused: every special-purpose range of the IANA registries — loopback, private, shared (CGNAT),
 * link-local, documentation, benchmarking, multicast, reserved, "this network" — and the IPv6 forms
 * that carry an IPv4 address inside (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`,
 * NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32`), which are judged by — or refused like —
 * the address inside. The operator may allow ranges (TRELLIS_WEBHOOK_ALLOW, CIDRs) for an internal
 * receiver; nothing else opens them.
 */
const SPECIAL_V4: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const SPECIAL_V6: readonly [string, number][] = [
  // Not listed: `::/96` and `::ffff:0:0/96` (unspecified, loopback, IPv4-compatible and -mapped).
  // mayConnect judges those by the IPv4 address inside; listed here, BlockList would also match every
  // plain IPv4 address against them (it compares IPv4 with IPv6 rules in mapped form).
  ['64:ff9b::', 96], // NAT64 (carries an IPv4 address)
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments, Teredo included
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (carries an IPv4 address)
  ['3fff::', 20], // documentation
  ['5f00::', 16], // SRv6
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

function specialList(): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of SPECIAL_V4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of SPECIAL_V6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

const SPECIAL = specialList();

export class WebhookAllowListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookAllowListError';
  }
}

/** The operator's allowed ranges (`10.1.2.0/24,::1/128`); a bad entry fails config loading. */
export function parseAllowList(text: string | undefined): BlockList {
  const list = new BlockList();
  for (const entry of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [net = '', prefixText, extra] = entry.split('/');
    const family = isIP(net);
    const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
    if (
      family === 0 ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > (family === 6 ? 128 : 32)
    )
      throw new WebhookAllowListError(`"${entry}" is not an address or a CIDR range (10.0.0.0/8, fd00::/8)`);
    list.addSubnet(net, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tails included), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const bytes = dotted[1].split('.').map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) =>
    parseInt(g, 16),
  );
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** The IPv4 address an IPv4-mapped or IPv4-compatible IPv6 address carries, if it is one. */
export function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g || g.slice(0, 5).some((x) => x !== 0)) return undefined;
  if (g[5] !== 0xffff && g[5] !== 0) return undefined;
  const hi = g[6] ?? 0;
  const lo = g[7] ?? 0;
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/**
 * Whether a webhook may connect to `address` (an IP literal, as DNS answered or the URL held):
 * allowed ranges first, then refused if special. Anything that is not an IP address is refused.
 */
export function mayConnect(address: string, allow: BlockList): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const inner = embeddedIPv4(address);
    if (inner !== undefined) return mayConnect(inner, allow);
    if (!ipv6Groups(address)) return false;
    const plain = address.split('%')[0] ?? address;
    return allow.check(plain, 'ipv6') || !SPECIAL.check(plain, 'ipv6');
  }
  return allow.check(address, 'ipv4') || !SPECIAL.check(address, 'ipv4');
}
