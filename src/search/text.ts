/**
 * Text as SQLite's FTS5 tokenizer (`unicode61 remove_diacritics 2`, drizzle/0002) sees it, and its
 * snippet() and highlight(), in TypeScript: what lets search on PostgreSQL (engine-postgres.ts) find
 * and mark the same words as on SQLite. PostgreSQL's own parser and dictionaries cannot: its parser
 * keeps `node.js`, `example.com` and `a@b.org` whole; in a database with the C locale (the tests'),
 * every non-ASCII character is a letter (`“café”` is one word) and only ASCII changes case; and
 * `unaccent` folds ł, ø, ß, ё and Greek accents, which FTS5 keeps. So Quire makes the lexemes and
 * the marks itself, and PostgreSQL stores, indexes, matches and ranks them.
 * text.test.ts checks all of it against FTS5.
 */
import { MARK_CLOSE, MARK_OPEN, type SearchTerms } from './engine';

/** The combining marks FTS5 takes into a token and drops (remove_diacritics 2); other marks separate tokens. */
const DIACRITICS = '\\u0300-\\u0304\\u0306-\\u030c\\u030f\\u0311\\u031b\\u0323-\\u0328\\u032d\\u032e\\u0330\\u0331';
/** A token: letters, digits and private-use characters ("L* N* Co"), and those diacritics. */
const TOKEN = new RegExp(`[\\p{L}\\p{N}\\p{Co}${DIACRITICS}]+`, 'gu');
const DIACRITIC = new RegExp(`[${DIACRITICS}]`, 'gu');
const ASCII = /^[\x00-\x7f]*$/;
const LATIN = /\p{Script=Latin}/u;
/** Case folding beyond toLowerCase(), as FTS5 folds (final sigma, long s, the Greek symbol forms). */
const FOLD: Record<string, string> = {
  'ς': 'σ', 'ſ': 's', 'ẛ': 's', 'µ': 'μ', 'ϐ': 'β', 'ϑ': 'θ', 'ϕ': 'φ', 'ϖ': 'π', 'ϰ': 'κ', 'ϱ': 'ρ', 'ϵ': 'ε', 'ι': 'ι',
};
/** Latin letters whose marks FTS5 keeps (they are not in its table). */
const KEEPS_MARKS = new Set('ǠǡǢǣǮǯǼǽǾǿ');

/**
 * A token as FTS5 indexes it: case folded; Latin letters lose their diacritics ("Crème" is
 * "creme", "Łódź" is "łodz": ł has no decomposition), other scripts keep theirs ("ёлка").
 */
export function foldToken(token: string): string {
  if (ASCII.test(token)) return token.toLowerCase();
  let folded = '';
  for (const char of token) {
    const lower = FOLD[char] ?? char.toLowerCase();
    folded += LATIN.test(char) && !KEEPS_MARKS.has(char) ? lower.normalize('NFD').replace(DIACRITIC, '').normalize('NFC') : lower.replace(DIACRITIC, '');
  }
  return folded;
}

export type Token = { lexeme: string; start: number; end: number };

/** The tokens of `text`, in order, with where each one is (UTF-16 offsets). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const lexeme = foldToken(match[0]);
    // a token of diacritics alone folds to nothing, and FTS5 has no token there either
    if (lexeme !== '') tokens.push({ lexeme, start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** The words as FTS5 folds them when it reads a query, the last one a prefix when asked. */
export type FoldedTerms = { lexemes: string[]; lastIsPrefix: boolean };

export function foldTerms(terms: SearchTerms): FoldedTerms {
  return { lexemes: terms.words.map(foldToken), lastIsPrefix: terms.lastIsPrefix };
}

const NONE: readonly number[] = [];

/** Which of the terms (phrases, in FTS5's words) a lexeme matches, by index. */
function matcher(terms: FoldedTerms): (lexeme: string) => readonly number[] {
  const last = terms.lexemes.length - 1;
  const exact = new Map<string, number[]>();
  terms.lexemes.forEach((term, i) => {
    if (i === last && terms.lastIsPrefix) return;
    exact.set(term, [...(exact.get(term) ?? []), i]);
  });
  const prefix = terms.lastIsPrefix ? terms.lexemes[last]! : null;
  return (lexeme) => {
    const found = exact.get(lexeme) ?? NONE;
    return prefix !== null && lexeme.startsWith(prefix) ? [...found, last] : found;
  };
}

/** `text` with MARK_OPEN and MARK_CLOSE around every token that matches: FTS5's highlight(). */
export function highlight(text: string, terms: FoldedTerms): string {
  const matches = matcher(terms);
  let out = '';
  let offset = 0;
  for (const token of tokenize(text)) {
    if (matches(token.lexeme).length === 0) continue;
    out += text.slice(offset, token.start) + MARK_OPEN + text.slice(token.start, token.end) + MARK_CLOSE;
    offset = token.end;
  }
  return out + text.slice(offset);
}

/**
 * FTS5's snippet() of one column: the window of `size` tokens with the most distinct terms (then
 * the most matches), preferring one that starts a sentence, centred on its matches otherwise;
 * `ellipsis` where the text goes on, matches marked. Text without a match gives its first tokens.
 * The scoring follows fts5SnippetFunction (sqlite/ext/fts5/fts5_aux.c) step by step.
 */
export function snippet(text: string, terms: FoldedTerms, size: number, ellipsis: string): string {
  const tokens = tokenize(text);
  const matches = matcher(terms);
  // every (position, term) a match, in position order: FTS5's phrase instances
  const instances: Array<{ position: number; term: number }> = [];
  tokens.forEach((token, position) => {
    for (const term of matches(token.lexeme)) instances.push({ position, term });
  });
  // positions of the tokens that start a sentence (the first, and any after "." or ":" and white
  // space), needed only when the text is longer than the snippet
  const sentences: number[] = [];
  if (tokens.length > size) {
    tokens.forEach((token, position) => {
      let i = token.start - 1;
      while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i--;
      if (position === 0 || (i !== token.start - 1 && i >= 0 && (text[i] === '.' || text[i] === ':'))) sentences.push(position);
    });
  }

  /** A window's score (1000 per term seen, 1 per further match) and the start that centres its matches. */
  const score = (from: number) => {
    const seen = new Set<number>();
    let total = 0;
    let first = -1;
    let last = 0;
    for (const { position, term } of instances) {
      if (position < from || position >= from + size) continue;
      total += seen.has(term) ? 1 : 1000;
      seen.add(term);
      if (first < 0) first = position;
      last = position + 1;
    }
    let start = first - Math.trunc((size - (last - first)) / 2);
    if (start + size > tokens.length) start = tokens.length - size;
    return { total, start: Math.max(start, 0) };
  };

  let best = 0;
  let bestStart = 0;
  for (const { position } of instances) {
    const around = score(position);
    if (around.total > best) {
      best = around.total;
      bestStart = around.start;
    }
    if (sentences.length > 0 && tokens.length > size) {
      let j = 0;
      while (j < sentences.length - 1 && sentences[j + 1]! <= position) j++;
      const sentence = sentences[j]!;
      if (sentence < position) {
        const total = score(sentence).total + (sentence === 0 ? 120 : 100);
        if (total > best) {
          best = total;
          bestStart = sentence;
        }
      }
    }
  }

  const end = bestStart + size - 1;
  let out = bestStart > 0 ? ellipsis : '';
  let offset = bestStart > 0 && bestStart < tokens.length ? tokens[bestStart]!.start : 0;
  for (let position = bestStart; position <= end && position < tokens.length; position++) {
    const token = tokens[position]!;
    if (matches(token.lexeme).length > 0) {
      out += text.slice(offset, token.start) + MARK_OPEN + text.slice(token.start, token.end) + MARK_CLOSE;
    } else {
      out += text.slice(offset, token.end);
    }
    offset = token.end;
  }
  return end >= tokens.length - 1 ? out + text.slice(offset) : out + ellipsis;
}
