import { absoluteUrl, type Site } from '../lib/site';
import { escapeXml, XML_DECLARATION, xmlAttributes, xmlElement } from '../lib/xml';
import { articlePath, feedPath, profilePath, scopePagePath, type FeedScope } from '../paths';
import { feedTitle } from './links';
import { mediaPath } from '../media/names';
import { mediaImageOf } from '../media/picture';
import type { FeedArticle } from './queries';

/** One feed, whatever its format. */
export type Feed = {
  scope: FeedScope;
  /** newest first, published only */
  articles: FeedArticle[];
  /** when the feed last changed: its newest article's update, or `emptySince` when it has none */
  updated: Date;
  /** the author of an author's feed */
  author?: { name: string; image: string | null };
};

/** RFC 3339 in UTC, as both Atom and JSON Feed want it. */
const rfc3339 = (date: Date) => date.toISOString();

/**
 * An article's id in every feed, for ever: a tag: URI (RFC 4151) from the site's host, the day it
 * was first published and its database id. The slug is not in it, so retitling an article (which
 * changes the slug) does not make readers show it again as new; nor is the title or the path.
 * A published article keeps its publishedAt: Quire never moves an article back to draft.
 */
export function articleFeedId(site: Pick<Site, 'host'>, article: { id: number; publishedAt: Date | null; createdAt: Date }): string {
  const day = (article.publishedAt ?? article.createdAt).toISOString().slice(0, 10);
  return `tag:${site.host},${day}:article:${article.id}`;
}

/** The newest update among the articles (lists come newest published first, not newest updated). */
export function feedUpdated(articles: FeedArticle[], emptySince: Date): Date {
  if (articles.length === 0) return emptySince;
  return new Date(Math.max(...articles.map((article) => article.updatedAt.getTime())));
}

function description(site: Site, scope: FeedScope): string {
  if (scope.kind === 'author') return `Articles by ${scope.username} on ${site.title}.`;
  if (scope.kind === 'tag') return `Articles tagged #${scope.tag} on ${site.title}.`;
  return site.description;
}

/**
 * The article's cover, absolute. Feed readers (Feedly, Inoreader, NetNewsWire, Thunderbird) all
 * show images in the content, while Atom's enclosure links are shown as attachments to download,
 * if at all: Atom carries the cover as the content's first image; JSON Feed has a field for it.
 */
function coverOf(site: Site, article: FeedArticle): { url: string; width: number; height: number } | null {
  const image = mediaImageOf(article.coverImage);
  return image ? { url: absoluteUrl(site, mediaPath(image)), width: image.width, height: image.height } : null;
}

/**
 * The body's HTML with this site's images addressed absolutely: JSON Feed has no base address
 * (Atom's xml:base would do, but readers that copy content elsewhere lose it).
 */
function absoluteMedia(site: Site, html: string): string {
  const base = absoluteUrl(site, '/media/');
  return html.replace(/(src="|srcset="|, )\/media\//g, `$1${base}`);
}

function contentHtml(site: Site, article: FeedArticle): string {
  const cover = coverOf(site, article);
  const figure = cover ? `<p><img src="${escapeXml(cover.url)}" width="${cover.width}" height="${cover.height}" alt=""></p>` : '';
  return figure + absoluteMedia(site, article.bodyHtml);
}

function atomEntry(site: Site, article: FeedArticle): string {
  const url = absoluteUrl(site, articlePath(article.slug));
  const lines = [
    xmlElement('id', articleFeedId(site, article)),
    xmlElement('title', article.title),
    `<link${xmlAttributes({ rel: 'alternate', type: 'text/html', href: url })}/>`,
    xmlElement('published', rfc3339(article.publishedAt ?? article.createdAt)),
    xmlElement('updated', rfc3339(article.updatedAt)),
    `<author>${xmlElement('name', article.author.username)}${xmlElement('uri', absoluteUrl(site, profilePath(article.author.username)))}</author>`,
    ...article.tagList.map((tag) => `<category${xmlAttributes({ term: tag })}/>`),
    xmlElement('summary', article.description),
    // the sanitised HTML as escaped text: readers unescape it once and render it
    `<content type="html"${xmlAttributes({ 'xml:base': url })}>${escapeXml(contentHtml(site, article))}</content>`,
  ];
  return `  <entry>\n${lines.map((line) => `    ${line}\n`).join('')}  </entry>\n`;
}

/** An Atom 1.0 document (RFC 4287). */
export function atomFeed(site: Site, feed: Feed): string {
  const self = absoluteUrl(site, feedPath(feed.scope, 'atom'));
  const lines = [
    // the feed's own address is its id: it names the feed, as an article's tag: URI names the article
    xmlElement('id', self),
    xmlElement('title', feedTitle(site, feed.scope)),
    xmlElement('subtitle', description(site, feed.scope)),
    xmlElement('updated', rfc3339(feed.updated)),
    `<link${xmlAttributes({ rel: 'self', type: 'application/atom+xml', href: self })}/>`,
    `<link${xmlAttributes({ rel: 'alternate', type: 'text/html', href: absoluteUrl(site, scopePagePath(feed.scope)) })}/>`,
    `<link${xmlAttributes({ rel: 'alternate', type: 'application/feed+json', href: absoluteUrl(site, feedPath(feed.scope, 'json')) })}/>`,
    ...(feed.author
      ? [`<author>${xmlElement('name', feed.author.name)}${xmlElement('uri', absoluteUrl(site, scopePagePath(feed.scope)))}</author>`]
      : []),
    xmlElement('generator', 'Quire'),
  ];
  return (
    XML_DECLARATION +
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n` +
    lines.map((line) => `  ${line}\n`).join('') +
    feed.articles.map((article) => atomEntry(site, article)).join('') +
    '</feed>\n'
  );
}

const jsonAuthor = (site: Site, author: { username: string; image: string | null }) => ({
  name: author.username,
  url: absoluteUrl(site, profilePath(author.username)),
  ...(author.image ? { avatar: author.image } : {}),
});

/** A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1). */
export function jsonFeed(site: Site, feed: Feed): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: feedTitle(site, feed.scope),
    home_page_url: absoluteUrl(site, scopePagePath(feed.scope)),
    feed_url: absoluteUrl(site, feedPath(feed.scope, 'json')),
    description: description(site, feed.scope),
    language: 'en',
    ...(feed.author ? { authors: [jsonAuthor(site, { username: feed.author.name, image: feed.author.image })] } : {}),
    items: feed.articles.map((article) => ({
      id: articleFeedId(site, article),
      url: absoluteUrl(site, articlePath(article.slug)),
      title: article.title,
      summary: article.description,
      content_html: absoluteMedia(site, article.bodyHtml),
      ...(coverOf(site, article) ? { image: coverOf(site, article)!.url } : {}),
      date_published: rfc3339(article.publishedAt ?? article.createdAt),
      date_modified: rfc3339(article.updatedAt),
      authors: [jsonAuthor(site, article.author)],
      tags: article.tagList,
    })),
  });
}
