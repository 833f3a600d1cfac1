/*
 * What authors and readers see of images (issue #18): the editor's upload with and without
 * JavaScript, covers, the img attributes of this site's images, link previews, feeds, avatars.
 */
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { api, apiUpload, userWithToken } from '../api/test-helpers';
import { solidJpeg } from '../test-support/images';
import { articles, uploads, users } from '../db/schema';
import { Browser, createTestApp, dom, ORIGIN, PASSWORD, signedInBrowser, type TestApp } from '../test-support';

const photo = (width: number, height: number, background = '#2a7') =>
  sharp({ create: { width, height, channels: 3, background } }).jpeg().toBuffer();

const file = (bytes: Buffer, name = 'photo.jpg', type = 'image/jpeg') => new File([new Uint8Array(bytes)], name, { type });

/** A multipart form post as a browser sends it, with its Origin. */
function postMultipart(browser: Browser, path: string, fields: Record<string, string | string[] | File>) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const item of value) data.append(name, item);
    else data.append(name, value);
  }
  return browser.request(path, { method: 'POST', body: data, headers: { origin: ORIGIN } });
}

const typed = { title: 'Pictures', description: 'With images', body: 'First paragraph.\n\nSecond paragraph.', tagList: ['photos'], tag: 'half-typed' };

/** An image uploaded through the editor's drop-and-paste door: its address. */
async function uploaded(browser: Browser, width = 1200, height = 800, background = '#2a7'): Promise<string> {
  const data = new FormData();
  data.set('file', file(await photo(width, height, background)));
  const res = await browser.request('/editor/uploads', { method: 'POST', body: data, headers: { origin: ORIGIN } });
  if (res.status !== 201) throw new Error(`upload failed with ${res.status}`);
  return ((await res.json()) as { upload: { url: string } }).upload.url;
}

/** An image uploaded through POST /api/uploads: its address, relative. */
async function uploadedByApi(t: TestApp, token: string, width = 1200, height = 800): Promise<string> {
  const data = new FormData();
  data.set('file', file(await photo(width, height)));
  const res = await api(t).raw('POST', '/uploads', { headers: { authorization: `Token ${token}` }, body: data });
  return (res.body.upload.url as string).slice(ORIGIN.length);
}

describe('the editor without JavaScript', () => {
  it('uploads an image and comes back (200, not saved) with everything typed and the Markdown at the end of the body', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const res = await postMultipart(browser, '/editor', { ...typed, op: 'upload', image: file(await photo(1200, 800)), alt: 'A green field', cursor: '' });
    expect(res.status).toBe(200);
    const page = dom(await res.text());
    const body = page.querySelector('textarea[name=body]')!.text;
    expect(body).toMatch(/^First paragraph\.\n\nSecond paragraph\.\n\n!\[A green field\]\(\/media\/[0-9a-f]{20}-1200x800\.jpg\)\n$/);
    expect(page.querySelector('input[name=title]')!.getAttribute('value')).toBe('Pictures');
    expect(page.querySelector('input[name=description]')!.getAttribute('value')).toBe('With images');
    expect(page.querySelector('input[name=tag]')!.getAttribute('value')).toBe('half-typed');
    expect(page.querySelectorAll('input[name=tagList]').map((input) => input.getAttribute('value'))).toEqual(['photos']);
    // the alt text is for this image only; the cursor now stands after it
    expect(page.querySelector('input[name=alt]')!.getAttribute('value')).toBe('');
    expect(page.querySelector('input[name=cursor]')!.getAttribute('value')).toBe(String(body.length));
    // the body's image is offered as a cover
    expect(page.querySelectorAll('select[name=coverImage] option').map((o) => o.text)).toEqual(['No cover', 'Image 1 of the body: A green field']);
    expect(await t.db.select().from(articles)).toHaveLength(0);
    expect(await t.db.select().from(uploads)).toHaveLength(1);
  });

  it('inserts at the cursor the script kept, counting a line break as the browser does', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    // the browser sends CRLF; its cursor counted "First paragraph.\n\n" as 18 characters
    const res = await postMultipart(browser, '/editor', {
      ...typed,
      body: 'First paragraph.\r\n\r\nSecond paragraph.',
      op: 'upload',
      image: file(await photo(600, 400)),
      alt: 'A [square] field',
      cursor: '18',
    });
    expect(res.status).toBe(200);
    const body = dom(await res.text()).querySelector('textarea[name=body]')!.text;
    expect(body).toMatch(/^First paragraph\.\n\n!\[A \\\[square\\\] field\]\(\/media\/[0-9a-f]{20}-600x400\.jpg\)\n\nSecond paragraph\.$/);
  });

  it('asks for alt text (422), keeps every field and stores nothing', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const res = await postMultipart(browser, '/editor', { ...typed, op: 'upload', image: file(await photo(100, 100)), alt: '  ' });
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('#alt-error')!.text).toMatch(/Alt text is needed.*readers who cannot see it/);
    expect(page.querySelector('input[name=alt]')!.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector('textarea[name=body]')!.text.replace(/\r\n/g, '\n')).toBe(typed.body);
    expect(await t.db.select().from(uploads)).toHaveLength(0);
  });

  it('refuses a file that is not an image (415) with the message beside the file field, every field kept', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const res = await postMultipart(browser, '/editor', { ...typed, op: 'upload', image: file(Buffer.from('hello'), 'x.png', 'image/png'), alt: 'Hello' });
    expect(res.status).toBe(415);
    const page = dom(await res.text());
    expect(page.querySelector('#image-error')!.text).toMatch(/^Image .*JPEG, PNG, WebP, GIF or AVIF/);
    expect(page.querySelector('input[name=alt]')!.getAttribute('value')).toBe('Hello');
    expect(page.querySelector('input[name=title]')!.getAttribute('value')).toBe('Pictures');
    expect(page.querySelector('textarea[name=body]')!.text.replace(/\r\n/g, '\n')).toBe(typed.body);
    expect(page.querySelectorAll('input[name=tagList]')).toHaveLength(1);
  });

  it('refuses a file too large for the site (413) and keeps the form', async () => {
    const t = await createTestApp({ env: { MEDIA_MAX_BYTES: '1000B' } });
    const { browser } = await signedInBrowser(t, 'ada');
    const res = await postMultipart(browser, '/editor', { ...typed, op: 'upload', image: file(await photo(800, 800)), alt: 'Big' });
    expect(res.status).toBe(413);
    expect(dom(await res.text()).querySelector('#image-error')!.text).toMatch(/too large/);
  });

  it('takes a form with an image past the 2 MiB other forms are held to', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const big = Buffer.concat([await photo(50, 50), Buffer.alloc(2.5 * 1024 * 1024)]);
    const res = await postMultipart(browser, '/editor', { ...typed, op: 'upload', image: file(big), alt: 'Padded' });
    // read, not cut off at the door: a JPEG with trailing bytes is an image
    expect(res.status).not.toBe(413);
    const login = await new Browser(t.app).request('/login', {
      method: 'POST',
      body: new URLSearchParams({ email: 'x'.repeat(2.5 * 1024 * 1024) }),
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(login.status).toBe(413);
  });
});

describe('covers', () => {
  it('uploads a cover, publishes with it, and shows it in the header (not lazy), on the home page and in link previews', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const upload = await postMultipart(browser, '/editor', { ...typed, op: 'cover', coverFile: file(await photo(2000, 1000)) });
    expect(upload.status).toBe(200);
    const form = dom(await upload.text());
    const cover = form.querySelector('select[name=coverImage] option[selected]')!.getAttribute('value')!;
    expect(cover).toMatch(/^\/media\/[0-9a-f]{20}-2000x1000\.jpg$/);
    expect(form.querySelector('img.cover-preview')!.getAttribute('src')).toBe(cover);

    const saved = await postMultipart(browser, '/editor', { ...typed, tag: '', op: 'publish', coverImage: cover });
    expect(saved.status).toBe(303);
    expect((await t.db.select().from(articles))[0]!.coverImage).toBe(cover);

    const reader = new Browser(t.app);
    const html = await reader.html('/article/pictures');
    const img = dom(html).querySelector('.article-cover img')!;
    expect(img.getAttribute('src')).toBe(cover);
    expect(img.getAttribute('fetchpriority')).toBe('high');
    expect(img.getAttribute('loading')).toBeUndefined();
    expect(img.getAttribute('width')).toBe('2000');
    expect(img.getAttribute('height')).toBe('1000');
    expect(img.getAttribute('srcset')).toContain('-2000x1000-480.webp 480w');
    expect(img.getAttribute('sizes')).toBeTruthy();
    const head = dom(html);
    const meta = (property: string) => head.querySelector(`meta[property="${property}"]`)?.getAttribute('content');
    expect(meta('og:image')).toBe(`${ORIGIN}${cover}`);
    expect(meta('og:image:width')).toBe('2000');
    expect(meta('og:image:height')).toBe('1000');
    expect(head.querySelector('meta[name="twitter:card"]')!.getAttribute('content')).toBe('summary_large_image');

    const home = dom(await reader.html('/'));
    const preview = home.querySelector('.article-preview .preview-link img.preview-cover')!;
    expect(preview.getAttribute('src')).toBe(cover);
    // the list's first cover may be a phone's largest paint: fetched at once; the others wait
    expect(preview.getAttribute('fetchpriority')).toBe('high');
    expect(preview.getAttribute('loading')).toBeUndefined();
    expect(preview.getAttribute('decoding')).toBe('async');
    expect(preview.getAttribute('width')).toBe('2000');
    // the page contract: the title stays the link's first child, the description its only <p>
    expect(home.querySelector('.article-preview .preview-link > h1')!.text).toBe('Pictures');
    expect(home.querySelectorAll('.article-preview .preview-link p')).toHaveLength(1);
    await postMultipart(browser, '/editor', { ...typed, title: 'Newer', tag: '', op: 'publish', coverImage: cover });
    const second = dom(await reader.html('/')).querySelectorAll('.article-preview img.preview-cover');
    expect(second.map((img) => [img.getAttribute('loading'), img.getAttribute('fetchpriority')])).toEqual([
      [undefined, 'high'],
      ['lazy', undefined],
    ]);
    for (const path of ['/tag/photos', '/profile/ada', '/search?q=pictures']) {
      expect(dom(await reader.html(path)).querySelector('img.preview-cover')?.getAttribute('src'), path).toBe(cover);
    }
  });

  it('chooses one of the body\'s images, changes it, and removes it', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const first = await uploaded(browser, 800, 600, '#a00');
    const second = await uploaded(browser, 640, 480, '#00a');
    const body = `Intro\n\n![Red](${first})\n\n![Blue](${second})`;
    await postMultipart(browser, '/editor', { ...typed, tag: '', body, op: 'publish', coverImage: first });
    expect((await t.db.select().from(articles))[0]!.coverImage).toBe(first);

    const editor = dom(await browser.html('/editor/pictures'));
    expect(editor.querySelectorAll('select[name=coverImage] option').map((o) => [o.text, o.getAttribute('selected') !== undefined])).toEqual([
      ['No cover', false],
      ['Image 1 of the body: Red', true],
      ['Image 2 of the body: Blue', false],
    ]);

    await postMultipart(browser, '/editor/pictures', { ...typed, tag: '', body, op: 'publish', coverImage: second });
    expect((await t.db.select().from(articles))[0]!.coverImage).toBe(second);
    expect(dom(await new Browser(t.app).html('/article/pictures')).querySelector('.article-cover img')!.getAttribute('src')).toBe(second);

    await postMultipart(browser, '/editor/pictures', { ...typed, tag: '', body, op: 'publish', coverImage: '' });
    expect((await t.db.select().from(articles))[0]!.coverImage).toBeNull();
    const page = dom(await new Browser(t.app).html('/article/pictures'));
    expect(page.querySelector('.article-cover')).toBeNull();
    expect(page.querySelector('meta[property="og:image"]')).toBeNull();
    expect(page.querySelector('meta[name="twitter:card"]')!.getAttribute('content')).toBe('summary');
  });

  it.each([
    ['an image elsewhere', 'https://example.com/cat.jpg'],
    ['a name never uploaded', '/media/0123456789abcdef0123-10x10.jpg'],
    ['a path outside /media', '/static/style.css'],
  ])('refuses %s as a cover (422) and keeps the form', async (_what, cover) => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const res = await postMultipart(browser, '/editor', { ...typed, tag: '', op: 'publish', coverImage: cover });
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('#coverImage-error')!.text).toBe('Cover must be an image uploaded here');
    expect(page.querySelector('textarea[name=body]')!.text.replace(/\r\n/g, '\n')).toBe(typed.body);
    expect(await t.db.select().from(articles)).toHaveLength(0);
  });

  it('are carried by the Atom feed (the content\'s first image) and JSON Feed (`image`), absolute', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const cover = await uploaded(browser, 1000, 500);
    await postMultipart(browser, '/editor', { ...typed, tag: '', body: `Look:\n\n![A field](${cover})`, op: 'publish', coverImage: cover });
    const atom = await (await t.app.request(`${ORIGIN}/feed.atom`)).text();
    const content = atom.match(/<content type="html"[^>]*>([^<]*)<\/content>/)![1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(content.startsWith(`<p><img src="${ORIGIN}${cover}" width="1000" height="500" alt=""></p>`)).toBe(true);
    expect(content).toContain(`src="${ORIGIN}${cover}"`);
    const json = JSON.parse(await (await t.app.request(`${ORIGIN}/feed.json`)).text());
    expect(json.items[0].image).toBe(`${ORIGIN}${cover}`);
    // the body's own image, addressed absolutely for readers without a base address
    expect(json.items[0].content_html).toContain(`src="${ORIGIN}${cover}"`);
    expect(json.items[0].content_html).not.toMatch(/"\/media\//);
  });
});

describe('the API\'s coverImage', () => {
  it('takes an uploaded image\'s address, absolute or relative, answers it absolute, and null removes it', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const cover = await uploadedByApi(t, token);
    const created = await api(t).post('/articles', { article: { title: 'T', description: 'D', body: 'B', coverImage: `${ORIGIN}${cover}` } }, token);
    expect(created.status).toBe(201);
    expect(created.body.article.coverImage).toBe(`${ORIGIN}${cover}`);
    expect((await t.db.select().from(articles))[0]!.coverImage).toBe(cover);
    expect((await api(t).get('/articles')).body.articles[0].coverImage).toBe(`${ORIGIN}${cover}`);

    // left out: kept
    const retitled = await api(t).put('/articles/t', { article: { title: 'T2' } }, token);
    expect(retitled.body.article.coverImage).toBe(`${ORIGIN}${cover}`);
    const relative = await api(t).put('/articles/t2', { article: { coverImage: cover } }, token);
    expect(relative.body.article.coverImage).toBe(`${ORIGIN}${cover}`);

    const removed = await api(t).put('/articles/t2', { article: { coverImage: null } }, token);
    expect(removed.status).toBe(200);
    // a RealWorld article again: no key at all
    expect('coverImage' in removed.body.article).toBe(false);
  });

  it('refuses an address that is not an image uploaded here (422 on the field)', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    for (const coverImage of ['https://example.com/cat.jpg', '/media/0123456789abcdef0123-10x10.jpg', 42]) {
      const res = await api(t).post('/articles', { article: { title: 'T', description: 'D', body: 'B', coverImage } }, token);
      expect(res.status, String(coverImage)).toBe(422);
      expect(Object.keys(res.body.errors)).toEqual(['coverImage']);
    }
    expect(await t.db.select().from(articles)).toHaveLength(0);
  });
});

describe('images in a rendered body', () => {
  it('carry srcset, sizes, width, height, lazy loading and async decoding; other images stay plain', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const image = await uploaded(browser, 2000, 1500);
    const body = `![A field](${image} "At dawn")\n\n![Elsewhere](https://example.com/x.png)`;
    await postMultipart(browser, '/editor', { ...typed, tag: '', body, op: 'publish' });
    const imgs = dom(await new Browser(t.app).html('/article/pictures')).querySelectorAll('.article-body img');
    expect(imgs).toHaveLength(2);
    const key = image.slice('/media/'.length, '/media/'.length + 20);
    expect(imgs[0]!.attributes).toEqual({
      src: image,
      srcset: `/media/${key}-2000x1500-480.webp 480w, /media/${key}-2000x1500-960.webp 960w, /media/${key}-2000x1500-1600.webp 1600w, ${image} 2000w`,
      sizes: '(min-width: 1140px) 1108px, calc(100vw - 2rem)',
      width: '2000',
      height: '1500',
      loading: 'lazy',
      decoding: 'async',
      alt: 'A field',
      title: 'At dawn',
    });
    expect(Object.keys(imgs[1]!.attributes).sort()).toEqual(['alt', 'src']);
  });

  it('carry them too when written with the site’s address, as POST /api/uploads answers it (kept as written)', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const upload = await apiUpload(t, token, await solidJpeg(1200, 800));
    const url = String(upload.body.upload.url);
    expect(url.startsWith(`${ORIGIN}/media/`)).toBe(true);
    const created = await api(t).post('/articles', { article: { title: 'Pictures', description: 'd', body: `![A field](${url})` } }, token);
    expect(created.status).toBe(201);
    expect(created.body.article.body).toBe(`![A field](${url})`);
    const img = dom(await new Browser(t.app).html('/article/pictures')).querySelector('.article-body img')!;
    expect(img.getAttribute('src')).toBe(url);
    expect(img.getAttribute('srcset')).toBe(`${url.replace('.jpg', '-480.webp')} 480w, ${url.replace('.jpg', '-960.webp')} 960w, ${url} 1200w`);
    expect([img.getAttribute('width'), img.getAttribute('height'), img.getAttribute('loading')]).toEqual(['1200', '800', 'lazy']);
  });
});

describe('POST /editor/uploads (drop and paste)', () => {
  it('answers JSON with the address and size', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const data = new FormData();
    data.set('file', file(await photo(300, 200)));
    const res = await browser.request('/editor/uploads', { method: 'POST', body: data, headers: { origin: ORIGIN } });
    expect(res.status).toBe(201);
    const json = await res.json();
    expect(json.upload).toMatchObject({ width: 300, height: 200 });
    expect(json.upload.url).toMatch(/^\/media\/[0-9a-f]{20}-300x200\.jpg$/);
  });

  it('answers a refused file in JSON with its status', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const data = new FormData();
    data.set('file', file(Buffer.from('<svg onload="alert(1)"/>'), 'x.svg', 'image/svg+xml'));
    const res = await browser.request('/editor/uploads', { method: 'POST', body: data, headers: { origin: ORIGIN } });
    expect(res.status).toBe(415);
    expect((await res.json()).errors.file[0]).toMatch(/JPEG, PNG, WebP, GIF or AVIF/);
  });

  it('refuses a cross-site post and a signed-out visitor', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada');
    const data = new FormData();
    data.set('file', file(await photo(10, 10)));
    const cross = await browser.request('/editor/uploads', { method: 'POST', body: data, headers: { origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    const anonymous = await new Browser(t.app).request('/editor/uploads', { method: 'POST', body: data, headers: { origin: ORIGIN } });
    expect(anonymous.status).toBe(303);
    expect(await t.db.select().from(uploads)).toHaveLength(0);
  });
});

describe('avatars in settings', () => {
  const settings = { image: '', username: 'ada', bio: 'Hello', email: 'ada@example.com', password: '', currentPassword: '' };

  it('crops an uploaded picture square (512x512) and makes it the profile\'s image', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'ada');
    const res = await postMultipart(browser, '/settings', { ...settings, avatar: file(await photo(1600, 900)) });
    expect(res.status).toBe(303);
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.image).toMatch(new RegExp(`^${ORIGIN}/media/[0-9a-f]{20}-512x512\\.jpg$`));
    const name = row!.image!.slice(`${ORIGIN}/media/`.length);
    const stored = await t.media.get(name);
    const metadata = await sharp(stored!.bytes).metadata();
    expect([metadata.width, metadata.height]).toEqual([512, 512]);
    const profile = dom(await new Browser(t.app).html('/profile/ada'));
    const avatar = profile.querySelector('img.user-img')!;
    expect(avatar.getAttribute('src')).toBe(row!.image);
    expect(avatar.getAttribute('width')).toBeTruthy();
    expect(avatar.getAttribute('height')).toBeTruthy();
  });

  it('refuses a file that is not an image with the message beside it, every field kept but the passwords', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'ada');
    const res = await postMultipart(browser, '/settings', {
      ...settings,
      image: 'https://example.com/me.png',
      bio: 'Changed bio',
      password: 'a new password 123',
      currentPassword: PASSWORD,
      avatar: file(Buffer.from('GIF89a but not really'), 'me.gif', 'image/gif'),
    });
    expect([415, 422]).toContain(res.status);
    const page = dom(await res.text());
    expect(page.querySelector('#avatar-error')!.text).toMatch(/^Picture /);
    expect(page.querySelector('input[name=image]')!.getAttribute('value')).toBe('https://example.com/me.png');
    expect(page.querySelector('textarea[name=bio]')!.text).toBe('Changed bio');
    expect(page.querySelector('input[name=password]')!.getAttribute('value')).toBeUndefined();
    expect(page.querySelector('input[name=currentPassword]')!.getAttribute('value')).toBeUndefined();
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.bio).toBeNull();
  });

  it('still takes a URL, and the API takes an uploaded image\'s address as any URL', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const cover = await uploadedByApi(t, token);
    const res = await api(t).put('/user', { user: { image: `${ORIGIN}${cover}` } }, token);
    expect(res.status).toBe(200);
    expect(res.body.user.image).toBe(`${ORIGIN}${cover}`);
  });
});
