/**
 * src/search/text.ts against SQLite's FTS5 itself: the same tokens, folded the same way, and the same
 * snippet() and highlight() output, on the FTS5 table Quire's migrations make (drizzle/0002). Runs on
 * either engine: it opens its own in-memory SQLite database.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import { MARK_CLOSE, MARK_OPEN } from './engine';
import { ftsMatchExpression } from './engine-sqlite';
import { searchTerms } from './queries';
import { foldTerms, foldToken, highlight, snippet, tokenize } from './text';

const ELLIPSIS = '…';
const SIZE = 16;

/** A fresh articles_fts, and what FTS5 makes of a body and a description. */
function fts5() {
  const sqlite = openDatabase(':memory:').$client;
  sqlite.exec("create virtual table vocab using fts5vocab('articles_fts', 'instance')");
  let rowid = 0;
  return {
    /** the body's tokens as FTS5 stores them, in order */
    tokens(body: string): string[] {
      const id = ++rowid;
      sqlite.prepare("insert into articles_fts (rowid, title, description, body, tags) values (?, '', '', ?, '')").run(id, body);
      const rows = sqlite.prepare("select term from vocab where doc = ? and col = 'body' order by offset").all(id) as Array<{ term: string }>;
      return rows.map((row) => row.term);
    },
    /** snippet() of the body and highlight() of the description for a query, or null when the row does not match */
    marked(body: string, description: string, match: string): { body: string; description: string } | null {
      const id = ++rowid;
      sqlite.prepare("insert into articles_fts (rowid, title, description, body, tags) values (?, 'x', ?, ?, '')").run(id, description, body);
      const row = sqlite
        .prepare(
          `select snippet(articles_fts, 2, char(2), char(3), '${ELLIPSIS}', ${SIZE}) as body, highlight(articles_fts, 1, char(2), char(3)) as description
           from articles_fts where articles_fts match ?`,
        )
        .get(match) as { body: string; description: string } | undefined;
      sqlite.prepare('delete from articles_fts where rowid = ?').run(id);
      return row ?? null;
    },
  };
}

const SAMPLES = [
  'Le “Café” de Flore — CAFÉ, crème brûlée; Node.js and example.com, foo@bar.org.',
  'ПРИВЕТ мир, ёлка и йод. Ωμέγα ΛΟΓΟΣ λόγος. Straße STRASSE. Łódź, Ærø, İstanbul, ıi.',
  'Việt Nam: e\u0301te\u0301, x\u0308y, a\u0483b, हिन्दी, 日本語テキスト, ٣٤, ½ ² ﬁne Ａbc ǅemal ǡ ǽ.',
  'snake_case kebab-case camelCase 3.14 1e5 0x1F v2 #hash @user $100 100% C++ C# F#',
  'tabs\tand\nnew\r\nlines   and\u00a0no-break\u2003spaces',
  // FTS5's tables are Unicode 6.1's: characters assigned since (🦀, Unicode 8) are letters to it
  '😀 emoji 🎉 between words',
];

describe('tokenize and foldToken: FTS5 unicode61 with remove_diacritics 2', () => {
  it('find the tokens FTS5 finds, folded as it folds them', () => {
    const db = fts5();
    for (const text of SAMPLES) expect(tokenize(text).map((t) => t.lexeme), text).toEqual(db.tokens(text));
  });

  it('fold case and Latin diacritics only', () => {
    expect(foldToken('CAFÉ')).toBe('cafe');
    expect(foldToken('TypeScript')).toBe('typescript');
    expect(foldToken('Łódź')).toBe('łodz');
    expect(foldToken('ЁЛКА')).toBe('ёлка');
    expect(foldToken('ΛΟΓΟΣ')).toBe(foldToken('λογος'));
  });

  it('give offsets into the text', () => {
    const text = '  «Crème» brûlée';
    expect(tokenize(text).map((t) => text.slice(t.start, t.end))).toEqual(['Crème', 'brûlée']);
  });
});

describe('snippet and highlight: FTS5 snippet() and highlight()', () => {
  const sentence = (i: number) => `Sentence ${i} talks about ${i % 3 === 0 ? 'otters' : 'rivers'} and ${i % 5 === 0 ? 'kingfishers' : 'stones'}.`;
  const long = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');
  const bodies = [
    ...SAMPLES,
    long,
    `${long}\n\nAnd at last: otters, kingfishers and herons: the end`,
    'Short one about otters.',
    'otters otters otters otters otters otters otters otters otters otters otters otters otters otters otters otters otters otters kingfishers',
    'Nothing here matches at all, but it is a longer text than sixteen tokens so that it is cut somewhere',
    'ends with a match: otters',
    ' leading space and a trailing one about otters ',
    'mid. sentence: starts here after a colon and otters swim far away from the stones in the river bed today',
    'x '.repeat(30) + 'otters ' + 'y '.repeat(30),
  ];
  const queries = ['otters', 'otter', 'kingfishers otters', 'otters kingfish', 'rivers stones otters', 'cafe', 'CAFÉ creme', 'node', 'ёлка', 'λογοσ', 'straße', 'te', 'sentence 12', 'the end', 'x y'];

  it('mark the same words in the same window as FTS5, and find the same rows', () => {
    const db = fts5();
    let compared = 0;
    for (const body of bodies) {
      for (const query of queries) {
        const terms = searchTerms(query)!;
        const description = `About ${query} and ${body.slice(0, 40)}`;
        const expected = db.marked(body, description, ftsMatchExpression(terms));
        if (expected === null) continue;
        const folded = foldTerms(terms);
        expect(snippet(body, folded, SIZE, ELLIPSIS), `${query} in ${body.slice(0, 30)}`).toBe(expected.body);
        expect(highlight(description, folded), `${query} in ${description.slice(0, 30)}`).toBe(expected.description);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('agree with FTS5 on random texts and queries', () => {
    const db = fts5();
    // a small seeded generator, so a failure can be replayed
    let seed = 15;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['otter', 'Otters', 'river', 'stone', 'Café', 'cafe', 'ёлка', 'the', 'a', 'kingfisher', 'λόγος', 'x1'];
    const gaps = [' ', ' ', ' ', ', ', '. ', ': ', '.', ' — ', '\n\n', ' “', '” ', '-'];
    let compared = 0;
    for (let round = 0; round < 400; round++) {
      let body = '';
      for (let i = 0, n = random(60); i < n; i++) body += words[random(words.length)]! + gaps[random(gaps.length)]!;
      const query = Array.from({ length: 1 + random(3) }, () => words[random(words.length)]!.slice(0, 2 + random(6))).join(' ');
      const terms = searchTerms(query);
      if (terms === null) continue;
      const expected = db.marked(body, 'd', ftsMatchExpression(terms));
      if (expected === null) continue;
      expect(snippet(body, foldTerms(terms), SIZE, ELLIPSIS), `${query} in ${JSON.stringify(body)}`).toBe(expected.body);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('give a text without tokens whole, and one without a match from its start', () => {
    const none = foldTerms(searchTerms('zebra')!);
    expect(snippet('', none, SIZE, ELLIPSIS)).toBe('');
    expect(snippet('¡¿ —', none, SIZE, ELLIPSIS)).toBe('¡¿ —');
    expect(snippet('one two three', none, 2, ELLIPSIS)).toBe(`one two${ELLIPSIS}`);
    expect(highlight('Zebras and a zebra', foldTerms(searchTerms('zebra')!))).toBe(`${MARK_OPEN}Zebras${MARK_CLOSE} and a ${MARK_OPEN}zebra${MARK_CLOSE}`);
    expect(highlight('Zebras and a zebra', foldTerms(searchTerms('zebra x')!))).toBe(`Zebras and a ${MARK_OPEN}zebra${MARK_CLOSE}`);
  });
});
