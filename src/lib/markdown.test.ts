import { describe, expect, it } from 'vitest';
import { loadMarkdown } from './markdown';

const { render: renderMarkdown, readingMinutes } = await loadMarkdown();

describe('renderMarkdown', () => {
  it('is loaded once, on first use', async () => {
    expect(await loadMarkdown()).toBe(await loadMarkdown());
  });

  it('renders ordinary Markdown', async () => {
    const html = renderMarkdown('# Title\n\nSome *emphasis* and `code`.\n\n- a\n- b');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<em>emphasis</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<li>a</li>');
  });

  const payloads: Array<[string, string]> = [
    ['script tag', '<script>alert(1)</script>'],
    ['inline event handler', '<img src=x onerror=alert(1)>'],
    ['svg payload', '<svg onload=alert(1)><circle/></svg>'],
    ['style tag', '<style>body{display:none}</style>'],
    ['iframe', '<iframe src="https://evil.example"></iframe>'],
    ['broken html', '<div <script>alert(1)</script> <a href="javascript:alert(1)"'],
    ['attribute breakout in link', '[x](https://a.example/"onmouseover="alert(1))'],
  ];
  it.each(payloads)('keeps a %s inert', (_name, payload) => {
    const html = renderMarkdown(payload);
    expect(html).not.toMatch(/<(script|style|iframe|svg|img|div)\b/i);
    // an event handler would have to sit inside a real tag to run; escaped text is harmless
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/<a [^>]*href="javascript:/i);
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'java\tscript:alert(1)',
    ' javascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'file:///etc/passwd',
  ])('refuses the link %j', (url) => {
    const html = renderMarkdown(`[click](${url})`);
    expect(html).not.toContain('href');
  });

  it.each(['https://example.com/a', 'http://example.com', 'mailto:a@example.com', '/article/x', '#section', 'relative/page'])(
    'allows the link %j',
    (url) => {
      const html = renderMarkdown(`[click](${url})`);
      expect(html).toContain('href="');
    },
  );

  it('marks external links nofollow ugc noopener and leaves internal ones alone', async () => {
    expect(renderMarkdown('[a](https://example.com)')).toContain('rel="nofollow ugc noopener"');
    expect(renderMarkdown('[a](/profile/bob)')).not.toContain('rel=');
  });

  it('allows http(s) images but not data: or relative ones', async () => {
    expect(renderMarkdown('![cat](https://example.com/cat.png)')).toContain(
      '<img src="https://example.com/cat.png" alt="cat">',
    );
    const dataImage = renderMarkdown('![x](data:image/svg+xml;base64,PHN2Zz4=)');
    expect(dataImage).not.toContain('<img');
    expect(dataImage).toContain('x');
    expect(renderMarkdown('![y](/logout)')).not.toContain('<img');
  });

  it('escapes HTML entities in text', async () => {
    expect(renderMarkdown('1 < 2 & "quotes"')).toContain('1 &lt; 2 &amp; &quot;quotes&quot;');
  });
});

describe('code highlighting and reading time', () => {
  it('highlights fenced code that names a language, on the server, still escaped', async () => {
    const html = renderMarkdown('```js\nconst a = "<script>";\n```');
    expect(html).toContain('<pre><code class="language-js">');
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    // no language, or an unknown one: plain, escaped code
    expect(renderMarkdown('```\n<b>x</b>\n```')).toBe('<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n');
    expect(renderMarkdown('```nosuchlang"onclick="x\ny\n```')).not.toMatch(/class="[^"]*"onclick/);
  });

  it('estimates reading time at 230 words a minute, at least one', async () => {
    expect(readingMinutes('Short.')).toBe(1);
    expect(readingMinutes(Array.from({ length: 1150 }, () => 'word').join(' '))).toBe(5);
    expect(readingMinutes('# Title\n\n**bold** [link](https://example.com)')).toBe(1);
  });
});
