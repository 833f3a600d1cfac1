const BASE = 'http://quire.invalid';

/** Deeper percent-encoding than this (a %25252F...) is refused rather than unwrapped. */
const MAX_DECODES = 3;

// eslint-disable-next-line no-control-regex
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/;

/** The path, percent-decoded until it stops changing; null if it is malformed or nested too deep. */
function fullyDecoded(path: string): string | null {
  let current = path;
  for (let i = 0; i <= MAX_DECODES; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return null;
}

/**
 * "/" or "/a/b/": a single leading slash, no empty, "." or ".." segment (a trailing slash aside),
 * and nothing a browser reads as a slash or strips (backslash, tab, newline).
 */
function isPlainPath(path: string): boolean {
  if (!path.startsWith('/') || CONTROL_OR_BACKSLASH.test(path)) return false;
  const segments = path.slice(1).split('/');
  return segments.every((segment, i) => segment !== '.' && segment !== '..' && (segment !== '' || i === segments.length - 1));
}

/**
 * Returns `value` as a same-site path ("/article/x?page=2"), or null when it could lead anywhere
 * else. Guards every redirect target a user can influence: the redirectTo fields and the
 * return_to cookie (no open redirects).
 *
 * The path is judged both as sent and fully percent-decoded, before the URL parser resolves it:
 * resolving first turned "/a/..//evil.example" into "//evil.example", which a browser follows to
 * another host. Dot segments, empty segments, backslashes and control characters are refused in
 * any encoding; no path on this site needs them. The query and fragment cannot change the host,
 * so they may carry anything.
 */
export function safeRedirectPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return null;
  if (CONTROL_OR_BACKSLASH.test(value)) return null;
  const end = value.search(/[?#]/);
  const path = end === -1 ? value : value.slice(0, end);
  const decoded = fullyDecoded(path);
  if (decoded === null || !isPlainPath(decoded)) return null;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const target = url.pathname + url.search + url.hash;
  // what the browser will read, checked once more
  return isPlainPath(url.pathname) ? target : null;
}
