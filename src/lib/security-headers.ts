/** Scripts, styles and forms from this origin only; images from anywhere (avatars are URLs). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: http:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The headers every response carries, the same for every request: what hono/secure-headers sets
 * by default, with our CSP and referrer policy, and HSTS when the site is served over https.
 * One list, which the front door (src/lib/front-door.ts) adds to every response on both ways in.
 */
export function securityHeaders(options: { https: boolean }): ReadonlyArray<readonly [string, string]> {
  return [
    ['cross-origin-resource-policy', 'same-origin'],
    ['cross-origin-opener-policy', 'same-origin'],
    ['origin-agent-cluster', '?1'],
    ['referrer-policy', 'strict-origin-when-cross-origin'],
    ...(options.https ? ([['strict-transport-security', 'max-age=31536000; includeSubDomains']] as const) : []),
    ['x-content-type-options', 'nosniff'],
    ['x-dns-prefetch-control', 'off'],
    ['x-download-options', 'noopen'],
    ['x-frame-options', 'SAMEORIGIN'],
    ['x-permitted-cross-domain-policies', 'none'],
    ['x-xss-protection', '0'],
    ['content-security-policy', CONTENT_SECURITY_POLICY],
  ];
}
