import { FILTER_KEYS, tagsForArticles, toSummary, type ArticleFilter, type ArticleSummary } from '../articles/summary';
import type { Db } from '../db/client';
import { ANONYMOUS_VIEWER, engineOf } from '../db/engine';
import { escapeHtml } from '../lib/html';
import { MARK_CLOSE, MARK_OPEN, SEARCH_COUNT_MAX, type MarkedText, type SearchEngine, type SearchTerms } from './engine';
import { postgresSearch } from './engine-postgres';
import { articleSearchQueries, ftsMatchExpression, sqliteSearch } from './engine-sqlite';

export { articleSearchQueries, SEARCH_COUNT_MAX };

/** What a reader may type: longer text is cut here (pages) or refused (API). */
export const SEARCH_QUERY_MAX_LENGTH = 1000;
/** Words beyond these are ignored: each one is another list of matches the engine must intersect. */
export const SEARCH_TERMS_MAX = 12;
export const SEARCH_TERM_MAX_LENGTH = 100;
/** Operators typed as words: a reader's "cats OR dogs" is two words, never syntax. */
const OPERATOR_WORDS = new Set(['AND', 'OR', 'NOT', 'NEAR']);
/** The characters FTS5's unicode61 keeps in tokens ("L* N* Co"); everything else separates words. */
const WORD = /[\p{L}\p{N}\p{Co}]+/gu;
// control characters are not allowed in HTML text (the sentinels are handled before this)
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const CONTROL_CHARACTERS_ALL = /[\u0000-\u001f\u007f]/g;

/** The search of this database's engine. */
export function searchEngineOf(db: Db): SearchEngine {
  return engineOf(db) === 'sqlite' ? sqliteSearch : postgresSearch;
}

export type SearchResult = ArticleSummary & {
  /** safe HTML: escaped article text with the matched words in <mark> (see snippetToHtml) */
  snippet: string;
};

/**
 * The words the reader's text searches for, or null when it holds none. Every word is letters and
 * digits only (so nothing typed is ever an engine's syntax), each is kept once whatever its case,
 * all must match, and the last one is a prefix ("typesc" finds "TypeScript") unless it is a single
 * character, which would match a large share of the index.
 */
export function searchTerms(text: string): SearchTerms | null {
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
  return { words, lastIsPrefix: [...words.at(-1)!].length > 1 };
}

/** The reader's text as SQLite's FTS5 MATCH expression, or null when it holds no word to search for. */
export function toMatchExpression(text: string): string | null {
  const terms = searchTerms(text);
  return terms && ftsMatchExpression(terms);
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
 * A snippet or highlight from the engine (matches between MARK_OPEN and MARK_CLOSE) as safe HTML: all
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
function chooseSnippet(marked: MarkedText | undefined): string {
  const body = marked?.body ?? '';
  const description = marked?.description ?? '';
  if (body.includes(MARK_OPEN) || description.trim() === '') return snippetToHtml(body);
  return snippetToHtml(description);
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
  const terms = searchTerms(options.query);
  if (terms === null) return { results: [], total: 0 };
  const engine = searchEngineOf(db);
  const filter = options.filter ?? {};
  const keys = FILTER_KEYS.filter((key) => filter[key] !== undefined);
  const params = { ...filter, viewer: options.viewerId ?? ANONYMOUS_VIEWER };
  const rows = await engine.page(db, terms, keys, { ...params, limit: options.limit, offset: options.offset });
  // a page that is not full, and not past the end, already says how many there are
  const total =
    rows.length > 0 && rows.length < options.limit
      ? Math.min(options.offset + rows.length, SEARCH_COUNT_MAX)
      : options.offset === 0 && rows.length === 0
        ? 0
        : await engine.count(db, terms, keys, params);
  const ids = rows.map((row) => row.id);
  const marked = ids.length === 0 ? new Map<number, MarkedText>() : await engine.marked(db, terms, ids);
  const tagLists = await tagsForArticles(db, ids);
  const results = rows.map((row) => ({ ...toSummary(row, tagLists.get(row.id) ?? []), snippet: chooseSnippet(marked.get(row.id)) }));
  return { results, total };
}
