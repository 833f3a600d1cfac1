import type { Context } from 'hono';

/** What TRUST_PROXY says about the hops in front of Quire. */
export type ProxyTrust = { kind: 'none' } | { kind: 'addresses'; loopback: boolean; addresses: Set<string> };

export function parseTrustProxy(value: string): ProxyTrust | null {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false' || v === 'off' || v === 'no') return { kind: 'none' };
  const parts = v.split(',').map((part) => part.trim()).filter(Boolean);
  const addresses = new Set<string>();
  let loopback = false;
  for (const part of parts) {
    if (part === 'loopback' || part === 'true') loopback = true;
    else if (/^[0-9a-f:.]+$/.test(part)) addresses.add(normalise(part));
    else return null;
  }
  return { kind: 'addresses', loopback, addresses };
}

function normalise(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

function isTrusted(address: string, trust: ProxyTrust): boolean {
  if (trust.kind === 'none') return false;
  if (trust.loopback && (address === '::1' || address.startsWith('127.'))) return true;
  return trust.addresses.has(address);
}

/** The socket's peer address (node-server puts the Node request in c.env.incoming). */
export function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * The client's address: the socket's, unless TRUST_PROXY names the proxy in front; then the
 * right-most X-Forwarded-For hop that is not itself a trusted proxy (the left part is client-made).
 */
export function clientAddress(socketPeer: string | undefined, forwardedFor: string | undefined, trust: ProxyTrust): string {
  const peer = socketPeer ? normalise(socketPeer) : 'unknown';
  if (!isTrusted(peer, trust)) return peer;
  const forwarded = (forwardedFor ?? '')
    .split(',')
    .map(normalise)
    .filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i]!;
    if (!isTrusted(hop, trust)) return hop;
  }
  return forwarded[0] ?? peer;
}
