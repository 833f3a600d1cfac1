import { describe, expect, it } from 'vitest';
import { checkPasswordStrength, measurePassword } from '../auth/password-strength';
import { TooManyRequests } from '../security/limits';
import { loadMarkdown, renderBody } from './markdown';
import { JobTooCostly, QUEUE_MAX, runOffThread } from './offthread';

const SAMPLE = [
  '# Title',
  '',
  'Some *emphasis*, `code`, [a link](https://example.com) and [another](/profile/bob).',
  '',
  '| a | b |',
  '| --- | --- |',
  '| <script>alert(1)</script> | [x](javascript:alert(1)) |',
  '',
  '```js',
  'const a = "<b>";',
  '```',
  '',
  ...Array.from({ length: 300 }, (_, i) => `word${i}`),
].join('\n');

describe('the worker thread', () => {
  it('renders a body exactly as the renderer does on this thread', async () => {
    const here = renderBody(await loadMarkdown(), SAMPLE);
    const there = await runOffThread({ kind: 'renderBody', body: SAMPLE });
    expect(there).toEqual(here);
    expect(there.bodyHtml).toContain('<span class="hljs-keyword">const</span>');
    expect(there.bodyHtml).not.toContain('<script>');
    expect(there.readingMinutes).toBe(1);
  });

  it.each(['password', 'frederick2024', 'correct horse battery staple', '19851203'.repeat(12)])(
    'measures %j exactly as zxcvbn does on this thread',
    async (password) => {
      const context = ['frederick', 'fred@example.com'];
      expect(await measurePassword(password, context)).toEqual(await checkPasswordStrength(password, context));
    },
  );

  it('answers jobs in the order asked, and refuses with 429 beyond the queue', async () => {
    const asked = Array.from({ length: QUEUE_MAX + 2 }, (_, i) => runOffThread({ kind: 'renderBody', body: `job ${i}` }));
    const settled = await Promise.allSettled(asked);
    // one job runs, QUEUE_MAX wait: the one beyond them is refused at once
    const refused = settled.filter((result) => result.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequests);
    expect(((refused[0] as PromiseRejectedResult).reason as TooManyRequests).status).toBe(429);
    const html = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value.bodyHtml] : []));
    expect(html.slice(0, 3)).toEqual(['<p>job 0</p>\n', '<p>job 1</p>\n', '<p>job 2</p>\n']);
  });

  it('gives up on a job past its time limit with a 422, and answers the next from a fresh worker', async () => {
    // an 80 KB table of links: about a second of markdown-it, far past 50 ms
    const row = `| ${Array.from({ length: 8 }, (_, i) => `[l${i}](https://e.x/${i})`).join(' | ')} |\n`;
    const table = `| ${'h | '.repeat(8)}\n|${' --- |'.repeat(8)}\n${row.repeat(Math.ceil(80_000 / row.length))}`;

    const late = await runOffThread({ kind: 'renderBody', body: table }, 50).then(
      () => null,
      (error: unknown) => error,
    );

    expect(late).toBeInstanceOf(JobTooCostly);
    expect((late as JobTooCostly).status).toBe(422);
    expect((late as JobTooCostly).message).toMatch(/too costly to process/);
    expect((await runOffThread({ kind: 'renderBody', body: 'after' })).bodyHtml).toBe('<p>after</p>\n');
  });
});
