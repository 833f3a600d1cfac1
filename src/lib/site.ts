import type { Env } from '../env';

/** The site as machines see it: absolute addresses and its name, from the environment. */
export type Site = {
  /** PUBLIC_URL: origin plus any path prefix, no trailing slash */
  url: string;
  /** PUBLIC_URL's host name, the authority of tag: URIs */
  host: string;
  title: string;
  description: string;
};

/**
 * Title and description here are the environment's, a new site's defaults: what pages, feeds and
 * the sitemap show is the live settings' (currentSite() in src/site/settings.ts).
 */
export function siteOf(env: Pick<Env, 'PUBLIC_URL' | 'SITE_TITLE' | 'SITE_DESCRIPTION'>): Site {
  return {
    url: env.PUBLIC_URL,
    host: new URL(env.PUBLIC_URL).hostname,
    title: env.SITE_TITLE,
    description: env.SITE_DESCRIPTION,
  };
}

/** `path` starts with "/": the address a reader outside would use. */
export const absoluteUrl = (site: Pick<Site, 'url'>, path: string) => `${site.url}${path}`;
