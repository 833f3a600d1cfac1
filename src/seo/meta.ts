import type { ArticleDetail, Profile } from '../articles/queries';
import { feedLink } from '../feeds/links';
import { mediaPath } from '../media/names';
import { mediaImageOf } from '../media/picture';
import type { PageMetaInput } from '../lib/render';
import { absoluteUrl, type Site } from '../lib/site';
import { articlePath, FOLLOWING_FEED_PATH, profilePath, profileTabPath, tagPath, withPage, type ProfileTab } from '../paths';

/** What an author's page says when they have written no bio. */
export const profileDescription = (site: Site, profile: Pick<Profile, 'username' | 'bio'>) =>
  profile.bio?.trim() || `Articles by ${profile.username} on ${site.title}.`;

/** Canonical URL, description, OpenGraph, Twitter card and BlogPosting data of an article page. */
export function articleMeta(site: Site, article: ArticleDetail): PageMetaInput {
  const path = articlePath(article.slug);
  const description = article.description.trim() || site.description;
  // a draft is seen by its author only; search engines should not keep it if one ever does
  if (!article.publishedAt) return { canonicalPath: path, description, names: [['robots', 'noindex']] };
  const url = absoluteUrl(site, path);
  const authorUrl = absoluteUrl(site, profilePath(article.author.username));
  const published = article.publishedAt.toISOString();
  const modified = article.updatedAt.toISOString();
  // the cover, for link previews: absolute, with its size so a preview is laid out before it loads
  const cover = mediaImageOf(article.coverImage);
  const coverUrl = cover ? absoluteUrl(site, mediaPath(cover)) : null;
  return {
    canonicalPath: path,
    description,
    feeds: [feedLink(site, { kind: 'author', username: article.author.username })],
    properties: [
      ['og:type', 'article'],
      ['og:title', article.title],
      ['og:description', description],
      ['og:url', url],
      ['og:site_name', site.title],
      ['article:published_time', published],
      ['article:modified_time', modified],
      ['article:author', authorUrl],
      ...article.tagList.map((tag): [string, string] => ['article:tag', tag]),
      ...(cover && coverUrl
        ? ([
            ['og:image', coverUrl],
            ['og:image:width', String(cover.width)],
            ['og:image:height', String(cover.height)],
            ['og:image:alt', article.title],
          ] as Array<[string, string]>)
        : []),
    ],
    names: [['twitter:card', cover ? 'summary_large_image' : 'summary']],
    jsonLd: {
      '@context': 'https://schema.org',
      '@type': 'BlogPosting',
      headline: article.title,
      description,
      url,
      mainEntityOfPage: url,
      datePublished: published,
      dateModified: modified,
      author: { '@type': 'Person', name: article.author.username, url: authorUrl },
      publisher: { '@type': 'Organization', name: site.title, url: absoluteUrl(site, '/') },
      ...(article.tagList.length > 0 ? { keywords: article.tagList } : {}),
      ...(coverUrl ? { image: coverUrl } : {}),
    },
  };
}

/** A profile's own articles, favorites or drafts tab. */
export function profileMeta(
  site: Site,
  profile: Profile,
  tab: ProfileTab,
  page: number,
): PageMetaInput {
  const path = profileTabPath(profile.username, tab);
  const description = profileDescription(site, profile);
  if (tab === 'drafts') return { canonicalPath: path, description, names: [['robots', 'noindex']] };
  return {
    canonicalPath: withPage(path, page),
    description,
    // the author's feed holds what the articles tab lists, not what they favorited
    feeds: tab === 'articles' ? [feedLink(site, { kind: 'author', username: profile.username })] : [],
    properties: [
      ['og:type', 'profile'],
      ['og:title', profile.username],
      ['og:description', description],
      ['og:url', absoluteUrl(site, path)],
      ['og:site_name', site.title],
      ['profile:username', profile.username],
      ...(profile.image ? [['og:image', profile.image] as [string, string]] : []),
    ],
    names: [['twitter:card', 'summary']],
  };
}

/** The home page's tabs and a tag's page. */
export function listMeta(
  site: Site,
  tab: { kind: 'global' } | { kind: 'feed' } | { kind: 'tag'; tag: string; inUse: boolean },
  page: number,
): PageMetaInput {
  if (tab.kind === 'tag') {
    return {
      canonicalPath: withPage(tagPath(tab.tag), page),
      description: `Articles tagged #${tab.tag} on ${site.title}.`,
      // a tag no published article has has no feed (it answers 404)
      feeds: tab.inUse ? [feedLink(site, { kind: 'tag', tag: tab.tag })] : [],
    };
  }
  if (tab.kind === 'feed') return { canonicalPath: withPage(FOLLOWING_FEED_PATH, page), names: [['robots', 'noindex']] };
  return {
    canonicalPath: withPage('/', page),
    properties: [
      ['og:type', 'website'],
      ['og:title', site.title],
      ['og:description', site.description],
      ['og:url', absoluteUrl(site, withPage('/', page))],
      ['og:site_name', site.title],
    ],
    names: [['twitter:card', 'summary']],
  };
}
