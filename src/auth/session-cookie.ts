import { parse } from 'hono/utils/cookie';

/** A character a session token can hold (Base32 lower case, the '.' between id and secret, and more). */
function isTokenChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    code === 46 // .
  );
}

/**
 * The value of cookie `name` in a Cookie header, exactly as hono's getCookie() reads it, for every
 * signed-in request: hono parses each pair with regular expressions into a dictionary (about 1.3 µs
 * for one cookie). The usual header, where the cookie appears once as `name=<token characters>` at
 * the start or after "; ", is read directly; that value is what hono's parser gives (nothing to
 * trim, unquote or decode). Anything else goes through hono's parser itself.
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const at = header.indexOf(name);
  if (at === -1) return undefined;
  const start = at + name.length + 1;
  // the first mention of the name starts a pair, and so no earlier pair can have this name
  if ((at === 0 || (at >= 2 && header.charCodeAt(at - 1) === 32 && header.charCodeAt(at - 2) === 59)) && header.charCodeAt(start - 1) === 61) {
    let end = start;
    while (end < header.length && isTokenChar(header.charCodeAt(end))) end++;
    if (end > start && (end === header.length || header.charCodeAt(end) === 59)) return header.slice(start, end);
  }
  return parse(header, name)[name];
}
