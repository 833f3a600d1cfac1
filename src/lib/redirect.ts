const BASE = 'http://quire.invalid';

/**
 * Returns `value` as a same-site path ("/article/x?page=2"), or null when it could lead anywhere
 * else: absolute URLs, protocol-relative "//host", backslash tricks and control characters.
 * Guards every redirect target a user can influence (no open redirects).
 */
export function safeRedirectPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  return url.pathname + url.search + url.hash;
}
