import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idle } from '../db/transaction';
import { UNLISTED } from '../articles/visibility';
import { ANONYMOUS_VIEWER, prepared } from '../db/statements';
import { escapeHtml } from '../lib/html';
import { articles, articleTags, users } from '../db/schema';
import {
  FILTER_KEYS,
  filterCondition,
  summaryColumns,
  tagIdByName,
  tagsForArticles,
  toSummary,
  type ArticleFilter,
  type ArticleSummary,
  type FilterKey,
} from '../articles/queries';

/** What a reader may type: longer text is cut here (pages) or refused (API). */
export const SEARCH_QUERY_MAX_LENGTH = 1000;
/** Words beyond these are ignored: each one is another doclist FTS5 must intersect. */
export const SEARCH_TERMS_MAX = 12;
export const SEARCH_TERM_MAX_LENGTH = 100;
/** Totals are counted up to here ("1000+ results"): counting every match of "the" costs a full doclist walk. */
export const SEARCH_COUNT_MAX = 1000;
/** bm25 weights of the columns title, description, body, tags: a title match ranks first. */
const COLUMN_WEIGHTS = '10.0, 5.0, 1.0, 3.0';
const SNIPPET_TOKENS = 16;
/** FTS5 wraps matches in these; they become <mark> only after the text around them is escaped. */
const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';
/** FTS5 operators typed as words: a reader's "cats OR dogs" is two words, never syntax. */
const OPERATOR_WORDS = new Set(['AND', 'OR', 'NOT', 'NEAR']);
/** The characters unicode61 keeps in tokens ("L* N* Co"); everything else separates words. */
const WORD = /[\p{L}\p{N}\p{Co}]+/gu;
// control characters are not allowed in HTML text (the sentinels are handled before this)
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const CONTROL_CHARACTERS_ALL = /[\u0000-\u001f\u007f]/g;

export type SearchResult = ArticleSummary & {
  /** safe HTML: escaped article text with the matched words in <mark> (see snippetToHtml) */
  snippet: string;
};

/**
 * The reader's text as an FTS5 MATCH expression, or null when it holds no word to search for.
 * Every word becomes a quoted string (so nothing typed is ever FTS5 syntax), all must match
 * (implicit AND), and the last one is a prefix ("typesc" finds "TypeScript") unless it is a single
 * character, which would match a large share of the index.
 */
export function toMatchExpression(text: string): string | null {
  const words: string[] = [];
  const seen = new Set<string>();
  for (const [word] of text.matchAll(WORD)) {
    if (OPERATOR_WORDS.has(word)) continue;
    const term = [...word].slice(0, SEARCH_TERM_MAX_LENGTH).join('');
    const key = term.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    words.push(term);
    if (words.length === SEARCH_TERMS_MAX) break;
  }
  if (words.length === 0) return null;
  return words
    .map((word, index) => {
      // the words hold letters and digits only: no double quote to escape
      const quoted = `"${word}"`;
      return index === words.length - 1 && [...word].length > 1 ? `${quoted}*` : quoted;
    })
    .join(' ');
}

/**
 * What the search page searches for and shows back: at most SEARCH_QUERY_MAX_LENGTH characters
 * (never splitting one), control characters (invalid in HTML) as spaces, trimmed.
 */
export function cleanQueryText(text: string): string {
  return Array.from(text.slice(0, SEARCH_QUERY_MAX_LENGTH * 2))
    .slice(0, SEARCH_QUERY_MAX_LENGTH)
    .join('')
    .replace(CONTROL_CHARACTERS_ALL, ' ')
    .trim();
}

/**
 * A snippet or highlight from FTS5 (matches between MARK_OPEN and MARK_CLOSE) as safe HTML: all
 * the text escaped, then the markers turned into <mark>. Stray markers (an article may contain
 * those characters itself) never unbalance the tags: an opening one inside a mark and a closing
 * one outside are dropped, and a mark still open at the end is closed.
 */
export function snippetToHtml(marked: string): string {
  let html = '';
  let open = false;
  for (const part of marked.split(/([\u0002\u0003])/)) {
    if (part === MARK_OPEN) {
      if (!open) html += '<mark>';
      open = true;
    } else if (part === MARK_CLOSE) {
      if (open) html += '</mark>';
      open = false;
    } else {
      html += escapeHtml(part.replace(CONTROL_CHARACTERS, ''));
    }
  }
  if (open) html += '</mark>';
  return html.replaceAll('<mark></mark>', '');
}

/** The body's best passage when the body matches; else the description, marked where it matches. */
function chooseSnippet(marked: { body: string | null; description: string | null } | undefined): string {
  const body = marked?.body ?? '';
  const description = marked?.description ?? '';
  if (body.includes(MARK_OPEN) || description.trim() === '') return snippetToHtml(body);
  return snippetToHtml(description);
}

/**
 * The search's page query and its bounded count for a set of filters, prepared once per database.
 * Matches are ranked from the FTS index alone: published_at is stored after the body, so reading
 * it (or any column past the body) for every match would read each matching article whole, about
 * 4x the time of the ranking itself on 10 000 articles. Drafts (few) are left out by id instead,
 * through articles_published_idx, and equal scores go newest first by id.
 */
export function articleSearchQueries(db: Db, keys: FilterKey[]) {
  return prepared(db, `article-search:${keys.join(',')}`, () => {
    const match = sql`articles_fts match ${sql.placeholder('match')}`;
    let visible: SQL;
    if (keys.length === 0) {
      visible = sql`articles_fts.rowid not in (select ${articles.id} from ${articles} where ${UNLISTED})`;
    } else {
      // filterCondition keeps drafts out and applies author, favorited and feed, as in the lists
      const conditions = [filterCondition(keys)];
      if (keys.includes('tag')) {
        conditions.push(
          sql`${articles.id} in (select ${articleTags.articleId} from ${articleTags} where ${articleTags.tagId} = ${tagIdByName})`,
        );
      }
      visible = sql`articles_fts.rowid in (select ${articles.id} from ${articles} where ${and(...conditions)})`;
    }
    const where = and(match, visible);
    // the page's ids first; only those rows get snippets, authors, counts and flags
    const ranked = db
      .select({
        id: sql<number>`articles_fts.rowid`.as('id'),
        score: sql<number>`bm25(articles_fts, ${sql.raw(COLUMN_WEIGHTS)})`.as('score'),
      })
      .from(sql`articles_fts`)
      .where(where)
      .orderBy(sql`score`, sql`articles_fts.rowid desc`)
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .as('ranked');
    const matching = db.select({ one: sql`1` }).from(sql`articles_fts`).where(where).limit(SEARCH_COUNT_MAX).as('matching');
    return {
      page: db
        .select(summaryColumns())
        .from(ranked)
        .crossJoin(articles)
        .innerJoin(users, eq(users.id, articles.authorId))
        .where(sql`${articles.id} = ranked.id`)
        .orderBy(sql`ranked.score`, sql`ranked.id desc`)
        .prepare(),
      // one pass over the matches, marking only the page's rows: `+` keeps the ids from being
      // FTS5 lookups, each of which would expand a prefix term again (7x slower for "migr")
      snippets: db
        .select({
          id: sql<number>`articles_fts.rowid`,
          body: sql<string | null>`snippet(articles_fts, 2, char(2), char(3), '…', ${sql.raw(String(SNIPPET_TOKENS))})`,
          description: sql<string | null>`highlight(articles_fts, 1, char(2), char(3))`,
        })
        .from(sql`articles_fts`)
        .where(and(match, sql`+articles_fts.rowid in (select value from json_each(${sql.placeholder('ids')}))`))
        .prepare(),
      count: db
        .select({ n: sql<number>`count(*)` })
        .from(matching)
        .prepare(),
    };
  });
}

/**
 * Published articles matching the reader's words, best first (bm25 with title 10, description 5,
 * body 1, tags 3; equal scores newest first), each with a marked snippet. Text with no word to search for
 * finds nothing. Four queries whatever the page size (three when the page shows the total).
 * `total` counts at most SEARCH_COUNT_MAX matches.
 */
export async function searchArticles(
  db: Db,
  options: { query: string; viewerId: number | null; limit: number; offset: number; filter?: ArticleFilter },
): Promise<{ results: SearchResult[]; total: number }> {
  await idle(db);
  const match = toMatchExpression(options.query);
  if (match === null) return { results: [], total: 0 };
  const filter = options.filter ?? {};
  const keys = FILTER_KEYS.filter((key) => filter[key] !== undefined);
  const queries = articleSearchQueries(db, keys);
  const params = { ...filter, match, viewer: options.viewerId ?? ANONYMOUS_VIEWER };
  const rows = queries.page.all({ ...params, limit: options.limit, offset: options.offset });
  // a page that is not full, and not past the end, already says how many there are
  const total =
    rows.length > 0 && rows.length < options.limit
      ? Math.min(options.offset + rows.length, SEARCH_COUNT_MAX)
      : options.offset === 0 && rows.length === 0
        ? 0
        : (queries.count.get(params)?.n ?? 0);
  const ids = rows.map((row) => row.id);
  const marked = new Map(
    ids.length === 0 ? [] : queries.snippets.all({ match, ids: JSON.stringify(ids) }).map((row) => [row.id, row]),
  );
  const tagLists = tagsForArticles(db, ids);
  const results = rows.map((row) => ({ ...toSummary(row, tagLists.get(row.id) ?? []), snippet: chooseSnippet(marked.get(row.id)) }));
  return { results, total };
}
