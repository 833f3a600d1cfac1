/**
 * The media store's contract, run against each implementation the environment can choose: the
 * file store in a temporary folder, and the S3 store against a real S3-compatible server (s3rver)
 * started here on 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../env';
import { startTestS3, type TestS3 } from '../test-support/s3';
import { openMediaStore } from './open-store';
import { s3MediaStore } from './s3-store';
import { fileMediaStore, type MediaStore } from './store';

const NAME = '0123456789abcdef0123-800x600.jpg';
const COPY = '0123456789abcdef0123-800x600-480.webp';
const OTHER = 'fedcba9876543210fedc-40x40.png';
/** names a request could carry that Quire never makes */
const FOREIGN = ['../quire.db', 'photo.jpg', '0123456789abcdef0123-800x600.svg', '0123456789abcdef0123-800x600-960.webp', 'a/0123456789abcdef0123-800x600.jpg', ''];

async function listed(store: MediaStore): Promise<string[]> {
  const names: string[] = [];
  for await (const name of store.list()) names.push(name);
  return names.sort();
}

let s3: TestS3;
let dir: string;
let bucketSeq = 0;

beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.stop();
});
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const client = () =>
  new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });

type Place = {
  store: MediaStore;
  putForeign: (key: string, bytes: Buffer) => Promise<void>;
  /**
   * Whether a read during a write sees nothing or all of it. S3 guarantees it (a PutObject is
   * atomic), as do MinIO and the others; s3rver, the test server, does not: it writes the object's
   * file in place, then its metadata, and a GET meanwhile streams what is there (found by this
   * test). For it, the test holds the store to what it controls: one PutObject, whole once answered.
   */
  atomicReads: boolean;
};

/** Each test its own empty place: a new folder, or a new prefix in the bucket. */
const stores: [string, () => Place][] = [
  [
    'files',
    () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-media-'));
      return {
        store: fileMediaStore(dir),
        putForeign: async (key, bytes) => {
          fs.mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
          fs.writeFileSync(path.join(dir, key), bytes);
        },
        atomicReads: true,
      };
    },
  ],
  [
    's3',
    () => {
      const prefix = `test-${++bucketSeq}/`;
      return {
        store: s3MediaStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', prefix, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true }),
        putForeign: async (key, bytes) => {
          await client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}${key}`, Body: bytes }));
        },
        atomicReads: false,
      };
    },
  ],
];

const NAME_FOR_AGE = 'abcdefabcdefabcdef12-10x10.jpg';

describe.each(stores)('the %s media store', (_kind, make) => {
  it('keeps a file, gives it back with its type, lists it and deletes it', async () => {
    const { store } = make();
    const bytes = Buffer.from('jpeg bytes, as far as the store cares');
    await store.put(NAME, bytes, 'image/jpeg');
    await store.put(COPY, Buffer.from('webp'), 'image/webp');
    const file = await store.get(NAME);
    expect(file?.bytes.equals(bytes)).toBe(true);
    expect(file?.contentType).toBe('image/jpeg');
    expect((await store.get(COPY))?.contentType).toBe('image/webp');
    expect(await listed(store)).toEqual([NAME, COPY].sort());
    await store.delete(NAME);
    expect(await store.get(NAME)).toBeNull();
    expect(await listed(store)).toEqual([COPY]);
    // deleting what is not there is no error
    await expect(store.delete(NAME)).resolves.toBeUndefined();
  });

  it('says when a file was written (the sweep of stray files asks), and null for one it does not have', async () => {
    const { store } = make();
    const before = Date.now();
    await store.put(NAME_FOR_AGE, Buffer.from('dated'), 'image/jpeg');
    const written = await store.modifiedAt!(NAME_FOR_AGE);
    // S3's LastModified has whole seconds
    expect(written).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(written).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await store.modifiedAt!('0000000000000000dead-10x10.jpg')).toBeNull();
  });

  it('answers null for a file it does not have, and lists nothing when empty', async () => {
    const { store } = make();
    expect(await store.get(OTHER)).toBeNull();
    expect(await listed(store)).toEqual([]);
  });

  it('refuses every name Quire does not make, before it reaches the disk or the bucket', async () => {
    const { store } = make();
    for (const name of FOREIGN) {
      await expect(store.put(name, Buffer.from('x'), 'image/jpeg'), name).rejects.toThrow(/not a media file name/);
      await expect(store.get(name), name).rejects.toThrow(/not a media file name/);
      await expect(store.delete(name), name).rejects.toThrow(/not a media file name/);
    }
    expect(await listed(store)).toEqual([]);
  });

  it('lists only the names Quire makes, whatever else shares the place', async () => {
    const { store, putForeign } = make();
    await store.put(OTHER, Buffer.from('png'), 'image/png');
    await putForeign('notes.txt', Buffer.from('hello'));
    await putForeign('0123456789abcdef0123-800x600.svg', Buffer.from('<svg/>'));
    expect(await listed(store)).toEqual([OTHER]);
  });

  it('writes a file whole: a reader meanwhile sees nothing or all of it', async () => {
    const { store, atomicReads } = make();
    const large = Buffer.alloc(4 * 1024 * 1024, 7);
    const during: (number | null)[] = [];
    const after: (number | null)[] = [];
    let written = false;
    const reader = (async () => {
      while (after.length < 3) {
        // a read counts as after the write only if it began after the put was answered
        const begunAfter = written;
        const file = await store.get(NAME);
        (begunAfter ? after : during).push(file ? file.bytes.length : null);
      }
    })();
    await store.put(NAME, large, 'image/jpeg');
    written = true;
    await reader;
    expect((await store.get(NAME))?.bytes.equals(large)).toBe(true);
    expect(during.length).toBeGreaterThan(0);
    if (atomicReads) for (const length of during) expect([null, large.length]).toContain(length);
    expect(after).toEqual([large.length, large.length, large.length]);
  });
});

describe('the S3 media store', () => {
  it('writes each object with its type and a year of immutable caching, under the prefix', async () => {
    const store = s3MediaStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', prefix: 'quire/', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
    await store.put(OTHER, Buffer.from('png'), 'image/png');
    const head = await client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `quire/${OTHER}` }));
    expect(head.ContentType).toBe('image/png');
    expect(head.CacheControl).toBe('public, max-age=31536000, immutable');
    expect(store.description).toBe(`s3://${s3.bucket}/quire/ at ${s3.endpoint}`);
  });

  it('says what failed when the keys are wrong', async () => {
    const store = s3MediaStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', accessKeyId: 'NOPE', secretAccessKey: 'NOPE', forcePathStyle: true });
    await expect(store.get(OTHER)).rejects.toThrow();
  });
});

describe('choosing the store by environment', () => {
  it('is the file store unless MEDIA_STORE=s3', () => {
    expect(openMediaStore(loadEnv({ DATABASE_PATH: '/srv/quire/quire.db' })).description).toBe('files in /srv/quire/media');
    expect(openMediaStore(loadEnv({ MEDIA_DIR: '/srv/images' })).description).toBe('files in /srv/images');
  });

  it('is the S3 store with MEDIA_STORE=s3, path-style when an endpoint is given', () => {
    const env = loadEnv(s3.env);
    expect(env.S3).toMatchObject({ bucket: s3.bucket, region: 'us-east-1', forcePathStyle: true, endpoint: s3.endpoint });
    expect(openMediaStore(env).description).toBe(`s3://${s3.bucket}/ at ${s3.endpoint}`);
    expect(loadEnv({ ...s3.env, S3_ENDPOINT: '', S3_REGION: 'eu-west-3' }).S3).toMatchObject({ forcePathStyle: false, region: 'eu-west-3' });
    expect(loadEnv({ ...s3.env, S3_FORCE_PATH_STYLE: 'false' }).S3?.forcePathStyle).toBe(false);
  });

  it('fails at start-up naming each variable an S3 store lacks', () => {
    expect(() => loadEnv({ MEDIA_STORE: 's3' })).toThrow(/S3_BUCKET: must be set when MEDIA_STORE=s3[\s\S]*S3_ACCESS_KEY_ID: must be set[\s\S]*S3_SECRET_ACCESS_KEY: must be set/);
    expect(() => loadEnv({ ...s3.env, S3_SECRET_ACCESS_KEY: '' })).toThrow(/S3_SECRET_ACCESS_KEY: must be set when MEDIA_STORE=s3/);
    expect(() => loadEnv({ MEDIA_STORE: 'bucket' })).toThrow(/MEDIA_STORE: must be files or s3/);
    expect(() => loadEnv({ ...s3.env, S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT: must be an http/);
    expect(() => loadEnv({ ...s3.env, S3_BUCKET: 'My Bucket' })).toThrow(/S3_BUCKET: must be a bucket name/);
    for (const prefix of ['../x/', '/quire/', 'a//b/', 'bad prefix/']) expect(() => loadEnv({ ...s3.env, S3_PREFIX: prefix }), prefix).toThrow(/S3_PREFIX: must be folder names/);
    expect(loadEnv({ ...s3.env, S3_PREFIX: 'blogs/quire' }).S3?.prefix).toBe('blogs/quire/');
  });
});
