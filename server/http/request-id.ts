import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv6 } from 'node:net';

const SAFE_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Makes Fastify's genReqId. A client's X-Request-Id is kept (so logs join up with the proxy's) only
 * when the request comes straight from a trusted proxy (TRELLIS_TRUST_PROXY: a hop count trusts the
 * peer, a list trusts those addresses) and the id looks like one; otherwise anyone could choose the
 * id that goes into the log and the audit trail, so a fresh one is made.
 */
export function requestIdGenerator(
  trustProxy: boolean | number | readonly string[],
): (req: IncomingMessage) => string {
  const trusted = trustedPeer(trustProxy);
  return (req) => {
    const incoming = req.headers['x-request-id'];
    return typeof incoming === 'string' && SAFE_ID.test(incoming) && trusted(req.socket?.remoteAddress)
      ? incoming
      : randomUUID();
  };
}

function trustedPeer(
  trustProxy: boolean | number | readonly string[],
): (address: string | undefined) => boolean {
  if (trustProxy === false || trustProxy === 0) return () => false;
  if (trustProxy === true || typeof trustProxy === 'number') return () => true;
  const list = new BlockList();
  for (const entry of trustProxy) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    if (address === undefined) return false;
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (v4 !== undefined) return list.check(v4, 'ipv4') || list.check(address, 'ipv6');
    return list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
  };
}
