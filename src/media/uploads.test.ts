import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { api, userWithToken } from '../api/test-helpers';
import { createTestApp, ORIGIN } from '../test-support';
import { solidJpeg, uploadForm } from '../test-support/images';

const photo = (width: number, height: number) => solidJpeg(width, height);
const form = uploadForm;

describe('POST /api/uploads', () => {
  it('takes an image, answers its address and size, and serves it with its type for a year', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const res = await api(t).raw('POST', '/uploads', { headers: { authorization: `Token ${token}` }, body: form(await photo(2000, 1000)) });
    expect(res.status).toBe(201);
    expect(res.body.upload).toMatchObject({ width: 2000, height: 1000, type: 'jpeg' });
    expect(res.body.upload.url).toMatch(/^http:\/\/localhost\/media\/[0-9a-f]{20}-2000x1000\.jpg$/);
    const served = await t.app.request(res.body.upload.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // a revalidation (a browser ignoring immutable) is a 304 without reading the store
    const etag = served.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{20}-2000x1000\.jpg"$/);
    const again = await t.app.request(res.body.upload.url, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const copy = await t.app.request(res.body.upload.url.replace('.jpg', '-960.webp'));
    expect(copy.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await copy.arrayBuffer())).metadata()).width).toBe(960);
  });

  it('refuses text named .png with a 415', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const res = await api(t).raw('POST', '/uploads', { headers: { authorization: `Token ${token}` }, body: form(Buffer.from('hello, world'), 'x.png', 'image/png') });
    expect(res.status).toBe(415);
    expect(res.body.errors.file[0]).toMatch(/JPEG, PNG, WebP, GIF or AVIF/);
  });

  it('asks for a token', async () => {
    const t = await createTestApp();
    const res = await api(t).raw('POST', '/uploads', { body: form(await photo(10, 10)) });
    expect(res.status).toBe(401);
  });

  it('answers 404 for a name Quire never made', async () => {
    const t = await createTestApp();
    expect((await t.app.request(`${ORIGIN}/media/..%2Fquire.db`)).status).toBe(404);
    expect((await t.app.request(`${ORIGIN}/media/0123456789abcdef0123-10x10.jpg`)).status).toBe(404);
  });
});
