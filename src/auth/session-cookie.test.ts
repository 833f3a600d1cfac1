import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { describe, expect, it } from 'vitest';
import { readCookie } from './session-cookie';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz234567abcdefgh.ijklmnopqrstuvwxyz234567abcdefghijklmnop';
const NAMES = ['session', '__Host-session'];

/** What hono's getCookie() reads from the header, through a real request. */
async function honoReads(header: string | null, name: string): Promise<string | undefined> {
  const app = new Hono();
  let value: string | undefined;
  app.get('/', (c) => {
    value = getCookie(c, name);
    return c.body(null, 204);
  });
  await app.request('http://localhost/', header === null ? {} : { headers: { cookie: header } });
  return value;
}

const CASES: Array<string | null> = [
  null,
  '',
  `session=${TOKEN}`,
  `__Host-session=${TOKEN}`,
  `theme=dark; session=${TOKEN}`,
  `theme=dark; session=${TOKEN}; flash=Saved`,
  `session=${TOKEN}; session=other.token`,
  `session=; session=${TOKEN}`,
  `session="${TOKEN}"`,
  `session=${TOKEN} ; x=1`,
  `session= ${TOKEN}`,
  ` session=${TOKEN}`,
  `theme=dark;session=${TOKEN}`,
  `theme=dark;  session=${TOKEN}`,
  `sessionx=1; session=${TOKEN}`,
  `return_to=/session; session=${TOKEN}`,
  `__Host-session=${TOKEN}; session=plain.one`,
  `session=abc%2Edef`,
  `session=abc%zz`,
  `session=a,b`,
  `session=a b`,
  `session`,
  `session; session=${TOKEN}`,
  `session=${TOKEN}=`,
  `session=${TOKEN}\t`,
  `other=1`,
  `session=é`,
];

describe('readCookie', () => {
  it('reads what hono getCookie reads, for usual and unusual headers', async () => {
    for (const header of CASES) {
      for (const name of NAMES) {
        expect(readCookie(header, name), `${JSON.stringify(header)} ${name}`).toBe(await honoReads(header, name));
      }
    }
  });

  it('agrees with hono on generated headers', async () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['session', '__Host-session', '=', ';', ' ', '; ', '"', '%2E', '%', 'a', 'Z', '7', '.', 'x=1', '\t', ',', TOKEN];
    for (let i = 0; i < 500; i++) {
      let header = '';
      const length = 1 + random(8);
      for (let j = 0; j < length; j++) header += pieces[random(pieces.length)];
      for (const name of NAMES) {
        expect(readCookie(header, name), `${JSON.stringify(header)} ${name}`).toBe(await honoReads(header, name));
      }
    }
  });
});
