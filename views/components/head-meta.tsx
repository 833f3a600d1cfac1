import type { PageMeta } from '../view-types';

/**
 * JSON for a <script type="application/ld+json"> block. The HTML parser ends the block at the
 * first "</script" whatever the JSON means, so every "<" (and ">", "&" for good measure) becomes a
 * JSON escape: user text such as a title "</script><script>…" stays data.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Canonical address, description, feeds, link-preview tags and structured data, for <head>. */
export function HeadMeta(props: { meta: PageMeta }) {
  const { meta } = props;
  return (
    <>
      <meta name="description" content={meta.description} />
      <link rel="canonical" href={meta.canonical} />
      {meta.names.map(([name, content]) => (
        <meta name={name} content={content} />
      ))}
      {meta.properties.map(([property, content]) => (
        <meta property={property} content={content} />
      ))}
      {meta.feeds.map((feed) => (
        <>
          <link rel="alternate" type="application/atom+xml" title={feed.title} href={feed.atom} />
          <link rel="alternate" type="application/feed+json" title={feed.title} href={feed.json} />
        </>
      ))}
      {/* a data block, never executed, so script-src 'self' does not apply to it */}
      {meta.jsonLd && <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonForScript(meta.jsonLd) }} />}
    </>
  );
}
