import { raw } from 'hono/html';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html';

describe('escapeHtml', () => {
  it('escapes text as hono/jsx does', async () => {
    expect(escapeHtml(`Bell & "quotes" <b>'x'</b>`)).toBe('Bell &amp; &quot;quotes&quot; &lt;b&gt;&#39;x&#39;&lt;/b&gt;');
  });

  it('writes what raw() marks as HTML as it is', async () => {
    expect(escapeHtml(raw('About &mdash; <i>x</i>'))).toBe('About &mdash; <i>x</i>');
  });
});
