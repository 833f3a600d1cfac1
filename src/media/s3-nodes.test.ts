/**
 * Images on an S3-compatible store, through the front door: the app configured with
 * MEDIA_STORE=s3 (the store the environment chooses, as `quire serve` opens it) against s3rver on
 * 127.0.0.1. Two apps on one database and one bucket stand for two nodes behind a load balancer:
 * an image uploaded through either is served by both.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { createSession } from '../auth/session';
import { createTestClock } from '../lib/clock';
import { silentLog } from '../lib/logger';
import { createTestDb, insertUser, ORIGIN, testEnv } from '../test-support';
import { startTestS3, type TestS3 } from '../test-support/s3';
import { solidJpeg, uploadForm } from '../test-support/images';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.stop();
});

const photo = (width: number, height: number) => solidJpeg(width, height);

/** Two nodes: one database, one bucket, each app with its own caches and limits, its store chosen by the environment. */
async function twoNodes(prefix: string) {
  const db = await createTestDb();
  const env = testEnv({ ...s3.env, S3_PREFIX: prefix });
  const clock = createTestClock();
  const nodes = [createApp({ db, env, clock, log: silentLog }), createApp({ db, env, clock, log: silentLog })] as const;
  await Promise.all(nodes.map((node) => node.ready));
  const user = await insertUser(db, 'ada');
  const { token } = await createSession(db, user.id, { now: clock() });
  return { db, nodes, token };
}

async function upload(node: ReturnType<typeof createApp>, token: string, bytes: Buffer) {
  const res = await node.request(`${ORIGIN}/api/uploads`, { method: 'POST', headers: { authorization: `Token ${token}` }, body: uploadForm(bytes) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { upload: { url: string; width: number; height: number; type: string; bytes: number } }).upload;
}

describe('images on an S3-compatible store (MEDIA_STORE=s3)', () => {
  it('POST /api/uploads puts the files in the bucket and GET /media/NAME answers their bytes', async () => {
    const { nodes, token } = await twoNodes('one/');
    const uploaded = await upload(nodes[0], token, await photo(1200, 800));
    expect(uploaded).toMatchObject({ width: 1200, height: 800, type: 'jpeg' });
    const served = await nodes[0].request(uploaded.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(served.headers.get('content-length')).toBe(String(bytes.length));
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 1200, height: 800 });
    const copy = await nodes[0].request(uploaded.url.replace('.jpg', '-960.webp'));
    expect(copy.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await copy.arrayBuffer())).metadata()).width).toBe(960);
    // every stored file, original and copies, counted in the upload's bytes
    expect(uploaded.bytes).toBeGreaterThan(bytes.length);
    expect((await nodes[0].request(`${ORIGIN}/media/0123456789abcdef0123-10x10.jpg`)).status).toBe(404);
  });

  it('serves from one node an image uploaded through the other, and the other way round', async () => {
    const { nodes, token } = await twoNodes('two/');
    const first = await upload(nodes[0], token, await photo(640, 480));
    const second = await upload(nodes[1], token, await photo(300, 500));
    for (const [url, width] of [
      [first.url, 640],
      [second.url, 300],
    ] as const) {
      const answers = await Promise.all(nodes.map((node) => node.request(url)));
      expect(answers.map((res) => res.status)).toEqual([200, 200]);
      const [a, b] = await Promise.all(answers.map(async (res) => Buffer.from(await res.arrayBuffer())));
      expect(a!.equals(b!)).toBe(true);
      expect((await sharp(a!).metadata()).width).toBe(width);
    }
  });
});
