/*
 * Uploads are where blogs get hurt: these are the hostile and the ordinary files of issue #18, built
 * here with sharp, zlib and Buffer, sent through POST /api/uploads (and the use case), on both engines.
 */
import { deflateSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { apiUpload, userWithToken } from '../api/test-helpers';
import { tablesOf } from '../db/engine';
import { createTestApp, createTestCore, insertUser, ORIGIN, testCaller, testEngine, type TestApp } from '../test-support';
import { fileNames, parseMediaUrl } from './names';
import { uploadImage } from './use-cases';
import { photoLikeJpeg, solidJpeg, solidPng } from '../test-support/images';
import { containsMarkup } from './process';

async function upload(t: TestApp, token: string, bytes: Buffer, name = 'photo.jpg', type = 'image/jpeg') {
  return apiUpload(t, token, bytes, name, type);
}

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

const PNG_SIGNATURE = Buffer.from('\x89PNG\r\n\x1a\n', 'latin1');

/** A real PNG stream saying 30 000 × 30 000 grey pixels, whose data is a few rows of zeros: a few hundred bytes. */
function decompressionBomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(30_000, 0);
  ihdr.writeUInt32BE(30_000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc((30_000 + 1) * 16); // filter byte + pixels, 16 rows of black
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** A PNG with `text` in a tEXt chunk before IEND (a browser sniffing it finds the HTML). */
function withTextChunk(png: Buffer, text: string): Buffer {
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk('tEXt', Buffer.from(`Comment\0${text}`, 'latin1')), png.subarray(iend)]);
}

const smallPng = () => solidPng(40, 30);
const smallGif = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#3c3' } }).gif().toBuffer();

const photo = photoLikeJpeg;

const exifGps = (metadata: Buffer | undefined) => metadata !== undefined && metadata.includes(Buffer.from([0x25, 0x88])); // tag 0x8825, little-endian

describe(`uploads are safe (${testEngine()})`, () => {
  it('strips EXIF with GPS coordinates, and turns a rotated photo upright', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const original = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#f80' } })
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD0: { ImageDescription: 'at home', Copyright: 'Ada' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
      })
      .jpeg()
      .toBuffer();
    const before = await sharp(original).metadata();
    expect(exifGps(before.exif)).toBe(true);
    expect(before.orientation).toBe(6);
    expect([before.width, before.height]).toEqual([64, 32]);

    const res = await upload(t, token, original);
    expect(res.status).toBe(201);
    // upright: a quarter turn swaps the sides
    expect(res.body.upload).toMatchObject({ width: 32, height: 64, type: 'jpeg' });
    const served = Buffer.from(await (await t.app.request(res.body.upload.url)).arrayBuffer());
    const after = await sharp(served).metadata();
    expect([after.width, after.height]).toEqual([32, 64]);
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.comments).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(served.includes(Buffer.from('at home'))).toBe(false);
  });

  const refusals: [string, () => Promise<Buffer>, string, string, number, RegExp][] = [
    ['a PNG that is also HTML (in a tEXt chunk)', async () => withTextChunk(await smallPng(), '<html><script>alert(document.cookie)</script></html>'), 'x.png', 'image/png', 422, /HTML or script/],
    ['a PNG with HTML after IEND', async () => Buffer.concat([await smallPng(), Buffer.from('<html><body><script>alert(1)</script>')]), 'x.png', 'image/png', 422, /HTML or script/],
    ['an SVG with a script, declared as a PNG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'x.png', 'image/png', 415, /JPEG, PNG, WebP, GIF or AVIF/],
    ['a file named .png holding text', async () => Buffer.from('just some words, honestly\n'), 'notes.png', 'image/png', 415, /JPEG, PNG, WebP, GIF or AVIF/],
    ['a GIF with a PNG inside', async () => Buffer.concat([await smallGif(), await smallPng()]), 'x.gif', 'image/gif', 422, /another file/],
    ['a PNG with a GIF inside', async () => withTextChunk(await smallPng(), (await smallGif()).toString('latin1')), 'x.png', 'image/png', 422, /another file/],
  ];
  for (const [what, make, name, type, status, message] of refusals) {
    it(`refuses ${what} with a ${status}`, async () => {
      const t = await createTestApp();
      const { token } = await userWithToken(t, 'ada');
      const res = await upload(t, token, await make(), name, type);
      expect(res.status).toBe(status);
      expect(res.body.errors.file[0]).toMatch(message);
      expect(t.media.files.size).toBe(0);
      expect(await t.db.select().from(tablesOf(t.db).uploads)).toEqual([]);
    });
  }

  it('takes an image whose bytes hold short tag-like runs by chance, as compressed pixels do', async () => {
    // 4 MB of noise from a fixed seed holds "<a " and the like, as a real photo's data may
    let x = 2463534242;
    const noise = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < noise.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      noise[i] = x & 0xff;
    }
    expect(/<a\s/i.test(noise.toString('latin1'))).toBe(true);
    expect(containsMarkup(noise)).toBe(false);
    // and a JPEG whose comment says so in words: tags that make no page of it
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const jpeg = await solidJpeg(40, 30);
    const words = Buffer.from('see <a > and <img > and <svg > and <style > here', 'latin1');
    const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, words.length + 2]), words]);
    const res = await upload(t, token, Buffer.concat([jpeg.subarray(0, 2), comment, jpeg.subarray(2)]));
    expect(res.status).toBe(201);
  });

  it('refuses a 30 000 × 30 000 PNG of a few hundred bytes from its header, before decoding it', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const bomb = decompressionBomb();
    expect(bomb.length).toBeLessThan(4096);
    const header = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([header.width, header.height]).toEqual([30_000, 30_000]);
    const started = performance.now();
    const rssBefore = process.memoryUsage().rss;
    const res = await upload(t, token, bomb, 'bomb.png', 'image/png');
    const ms = performance.now() - started;
    expect(res.status).toBe(422);
    // the pixel limit's refusal, which reads the header alone: decoding 900 megapixels would take seconds and 900 MB
    expect(res.body.errors.file[0]).toBe('is 30000 × 30000 pixels; the most this site takes is 50 megapixels');
    expect(ms).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('takes a 12-megapixel photo and stores its WebP widths and its original capped at 2400 px', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const bytes = await photo(4000, 3000);
    expect(bytes.length).toBeGreaterThan(500_000);
    expect(bytes.length).toBeLessThan(10 * 1024 * 1024);
    const res = await upload(t, token, bytes);
    expect(res.status).toBe(201);
    expect(res.body.upload).toMatchObject({ width: 2400, height: 1800, type: 'jpeg' });
    const image = parseMediaUrl(res.body.upload.url, ORIGIN)!;
    const names = fileNames(image);
    expect(names).toHaveLength(4);
    expect([...t.media.files.keys()].sort()).toEqual([...names].sort());
    const stored = await Promise.all(names.map(async (name) => ({ name, meta: await sharp(t.media.files.get(name)!.bytes).metadata() })));
    expect(stored.map(({ meta }) => [meta.format, meta.width, meta.height])).toEqual([
      ['jpeg', 2400, 1800],
      ['webp', 480, 360],
      ['webp', 960, 720],
      ['webp', 1600, 1200],
    ]);
    const total = names.reduce((sum, name) => sum + t.media.files.get(name)!.bytes.length, 0);
    expect(res.body.upload.bytes).toBe(total);
  }, 30_000);

  it('serves each file with the type it was written in, nosniff and a sandbox, and nothing a user names', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'ada');
    const png = await sharp({ create: { width: 1000, height: 500, channels: 4, background: '#08f8' } }).png().toBuffer();
    const res = await upload(t, token, png, 'x.png', 'image/png');
    expect(res.status).toBe(201);
    const original = await t.app.request(res.body.upload.url);
    expect(original.headers.get('content-type')).toBe('image/png');
    const copy = await t.app.request(res.body.upload.url.replace('.png', '-480.webp'));
    expect(copy.status).toBe(200);
    expect(copy.headers.get('content-type')).toBe('image/webp');
    for (const served of [original, copy]) {
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toMatch(/sandbox/);
      expect(served.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      // public pictures: API clients and web feed readers on other origins show them
      expect(served.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    }
    const name = res.body.upload.url.slice(res.body.upload.url.lastIndexOf('/') + 1);
    for (const path of [
      '/media/../quire.db',
      '/media/..%2Fquire.db',
      `/media/x%2F${name}`,
      `/media/%2e%2e%2f${name}`,
      `/media/${name}%00.html`,
      `/media/${name}.html`,
      `/media/${name.replace('.png', '.jpg')}`, // the right key, a format never written
      `/media/${name.replace('.png', '-720.webp')}`, // a width never made
      '/media/0123456789abcdef0123-10x10.png',
      '/media/',
    ]) {
      expect((await t.app.request(`${ORIGIN}${path}`)).status, path).toBe(404);
    }
  });

  it('refuses with a 413 past the quota, counting only the owner’s images that are not removed', async () => {
    const t = await createTestApp({ env: { MEDIA_QUOTA: '30KB' } });
    const { token, user } = await userWithToken(t, 'ada');
    const other = await userWithToken(t, 'bob');
    const image = (shade: string) => sharp({ create: { width: 80, height: 80, channels: 3, background: shade, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    // bob's images do not count against ada
    expect((await upload(t, other.token, await image('#111'), 'a.png', 'image/png')).status).toBe(201);
    const first = await upload(t, token, await image('#222'), 'a.png', 'image/png');
    expect(first.status).toBe(201);
    expect(first.body.upload.bytes).toBeGreaterThan(15 * 1024);
    const refused = await upload(t, token, await image('#333'), 'b.png', 'image/png');
    expect(refused.status).toBe(413);
    expect(refused.body.errors.file[0]).toMatch(/would take your images past this site's quota of 30 KB \(you have \d+ KB\)/);
    // a removed image no longer counts
    const { uploads } = tablesOf(t.db);
    await t.db.update(uploads).set({ removedAt: new Date(t.clock()), removedCause: 'unused' }).where(eq(uploads.ownerId, user.id));
    expect((await upload(t, token, await image('#444'), 'c.png', 'image/png')).status).toBe(201);
  });

  it('answers 429 past the upload rate limit', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_UPLOADS: '2/h' } });
    const { token } = await userWithToken(t, 'ada');
    const png = await smallPng();
    expect((await upload(t, token, png, 'a.png', 'image/png')).status).toBe(201);
    expect((await upload(t, token, png, 'a.png', 'image/png')).status).toBe(201);
    const res = await upload(t, token, png, 'a.png', 'image/png');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('two uploads of one image at once end in one row and no error', async () => {
    const t = await createTestApp();
    const { token, user } = await userWithToken(t, 'ada');
    const png = await smallPng();
    const answers = await Promise.all([1, 2, 3].map(() => upload(t, token, png, 'a.png', 'image/png')));
    expect(answers.map((res) => res.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((res) => res.body.upload.url)).size).toBe(1);
    const rows = await t.db.select().from(tablesOf(t.db).uploads).where(eq(tablesOf(t.db).uploads.ownerId, user.id));
    expect(rows).toHaveLength(1);
  });

  it('the use case refuses the same files as the API, for every door', async () => {
    const { core } = await createTestCore();
    const ada = await insertUser(core.db, 'ada');
    const caller = testCaller({ userId: ada.id, role: 'author' });
    const bomb = await uploadImage(core, caller, { bytes: decompressionBomb(), purpose: 'image' });
    expect(bomb).toMatchObject({ ok: false, status: 422, errors: { file: [expect.stringMatching(/megapixels/)] } });
    const html = await uploadImage(core, caller, { bytes: withTextChunk(await smallPng(), '<html><script>1</script>'), purpose: 'avatar' });
    expect(html).toMatchObject({ ok: false, status: 422 });
    const svg = await uploadImage(core, caller, { bytes: Buffer.from('<svg onload="alert(1)"/>'), purpose: 'image' });
    expect(svg).toMatchObject({ ok: false, status: 415 });
    const avatar = await uploadImage(core, caller, { bytes: await smallPng(), purpose: 'avatar' });
    expect(avatar).toMatchObject({ ok: true, value: { width: 512, height: 512, type: 'png' } });
  });
});
