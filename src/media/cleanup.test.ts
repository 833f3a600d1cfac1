import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CLI_CALLER } from '../core';
import { tablesOf } from '../db/engine';
import { runCleanups } from '../ops/cleanups';
import { createPage } from '../site/pages';
import { createTestCore, insertUser, saveArticle, testCaller, testEngine } from '../test-support';
import { changeSettings } from '../users/use-cases';
import { mediaCleanup, sweepStrayFiles } from './cleanup';
import { fileNames, mediaPath, type MediaImage } from './names';
import { fileMediaStore } from './store';
import { uploadImage } from './use-cases';

const HOUR = 3_600_000;
const GRACE = 24 * HOUR;

let shade = 0;
/** A new picture each call (a new colour: a new key), 600 px wide so it has a WebP copy. */
const picture = () => {
  shade += 1;
  return sharp({ create: { width: 600, height: 300, channels: 3, background: { r: shade % 256, g: (shade * 7) % 256, b: 90 } } }).png().toBuffer();
};

async function setUp(options: { media?: ReturnType<typeof fileMediaStore> } = {}) {
  const { core, clock, logs } = await createTestCore({ env: { MEDIA_UNUSED_GRACE: '1d' } });
  if (options.media) core.media = options.media;
  const ada = await insertUser(core.db, 'ada');
  const caller = testCaller({ userId: ada.id, role: 'admin' });
  const upload = async (): Promise<MediaImage> => {
    const outcome = await uploadImage(core, caller, { bytes: await picture(), purpose: 'image' });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    return outcome.value.image;
  };
  const run = async () => {
    const result = await runCleanups(core.db, { tasks: [mediaCleanup(core)], clock, log: () => {} });
    expect(result.outcome).toBe('done');
    return result.outcome === 'done' ? result.deleted.media : -1;
  };
  const stored = async (image: MediaImage) => {
    const files = await Promise.all(fileNames(image).map((name) => core.media.get(name)));
    return files.every((file) => file !== null) ? 'stored' : files.every((file) => file === null) ? 'gone' : 'partly';
  };
  const rowOf = async (image: MediaImage) => {
    const { uploads } = tablesOf(core.db);
    const [row] = await core.db.select().from(uploads).where(eq(uploads.key, image.key));
    return row ?? null;
  };
  return { core, clock, logs, ada, caller, upload, run, stored, rowOf };
}

describe(`unused images are removed after the grace period (${testEngine()})`, () => {
  it('keeps an image an article body, a draft, a cover, an avatar or a site page shows; removes an unused one and its files', async () => {
    const { core, clock, ada, caller, upload, run, stored, rowOf } = await setUp();
    const [inBody, inDraft, asCover, asAvatar, inPage, unused] = await Promise.all([upload(), upload(), upload(), upload(), upload(), upload()]);
    await saveArticle(core.db, ada.id, { title: 'Body', description: 'd', body: `Look: ![a cat](${mediaPath(inBody)})`, tagList: [] }, clock());
    await saveArticle(core.db, ada.id, { title: 'Draft', description: 'd', body: `![x](${mediaPath(inDraft)})`, tagList: [] }, clock(), { publish: false });
    await saveArticle(core.db, ada.id, { title: 'Cover', description: 'd', body: 'words', tagList: [], coverImage: mediaPath(asCover) }, clock());
    const settings = await changeSettings(core, caller, { changes: { image: mediaPath(asAvatar) }, requireCurrentPassword: false, currentSessionId: null });
    expect(settings.ok).toBe(true);
    const page = await createPage(core, CLI_CALLER, { title: 'Gallery', slug: 'gallery', body: `![view](${mediaPath(inPage)})`, placement: 'none', position: 0 });
    expect(page.ok).toBe(true);

    clock.advance(GRACE - 1);
    expect(await run()).toBe(0);
    expect(await stored(unused)).toBe('stored');

    clock.advance(2);
    expect(await run()).toBe(1);
    expect(await stored(unused)).toBe('gone');
    expect(await rowOf(unused)).toBeNull();
    for (const image of [inBody, inDraft, asCover, asAvatar, inPage]) {
      expect(await stored(image)).toBe('stored');
      expect((await rowOf(image))?.removedAt).toBeNull();
    }
    // nothing more to do
    expect(await run()).toBe(0);
  });

  it('keeps an image used again before the grace ends, and removes it once nothing shows it any more', async () => {
    const { core, clock, ada, upload, run, stored, rowOf } = await setUp();
    const image = await upload();
    clock.advance(GRACE - HOUR);
    const { id } = await saveArticle(core.db, ada.id, { title: 'Late', description: 'd', body: `![late](${mediaPath(image)})`, tagList: [] }, clock());
    clock.advance(2 * HOUR);
    expect(await run()).toBe(0);
    expect(await stored(image)).toBe('stored');
    // the article is deleted: the image is unused, and past its grace already
    await core.db.delete(tablesOf(core.db).articles).where(eq(tablesOf(core.db).articles.id, id));
    expect(await run()).toBe(1);
    expect(await stored(image)).toBe('gone');
    expect(await rowOf(image)).toBeNull();
  });

  it('keeps the files of a picture another account still has', async () => {
    const { core, clock, run, stored, rowOf } = await setUp();
    const bob = await insertUser(core.db, 'bob');
    const bytes = await picture();
    const a = await uploadImage(core, testCaller({ userId: (await insertUser(core.db, 'cy')).id }), { bytes, purpose: 'image' });
    clock.advance(GRACE);
    const b = await uploadImage(core, testCaller({ userId: bob.id }), { bytes, purpose: 'image' });
    if (!a.ok || !b.ok) throw new Error('upload refused');
    clock.advance(HOUR);
    // cy's row is past its grace and goes; bob's, younger, keeps the files
    expect(await run()).toBe(1);
    expect(await stored(a.value.image)).toBe('stored');
    expect((await rowOf(a.value.image))?.ownerId).toBe(bob.id);
  });

  it('works in bounded steps', async () => {
    const { core, clock, run } = await setUp();
    const { uploads } = tablesOf(core.db);
    const rows = Array.from({ length: 230 }, (_, i) => ({
      key: i.toString(16).padStart(20, '0'),
      ownerId: null,
      type: 'png',
      width: 10,
      height: 10,
      bytes: 100,
      url: `/media/${i.toString(16).padStart(20, '0')}-10x10.png`,
      createdAt: new Date(clock()),
    }));
    await core.db.insert(uploads).values(rows);
    clock.advance(GRACE + 1);
    expect(await run()).toBe(230);
    expect(await core.db.select().from(uploads)).toEqual([]);
  });
});

describe(`stray files (${testEngine()})`, () => {
  it('deletes files no live row names once older than the grace, and leaves young ones and kept ones', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quire-media-'));
    try {
      const media = fileMediaStore(dir);
      const { core, clock, upload } = await setUp({ media });
      const kept = await upload();
      const stray = '00112233445566778899-10x10.png';
      const young = 'aabbccddeeff00112233-10x10.png';
      await media.put(stray, Buffer.from('x'), 'image/png');
      await media.put(young, Buffer.from('y'), 'image/png');
      const now = clock();
      const old = new Date(now - GRACE - HOUR);
      await fs.utimes(path.join(dir, stray), old, old);
      for (const name of fileNames(kept)) await fs.utimes(path.join(dir, name), old, old);
      await fs.utimes(path.join(dir, young), new Date(now), new Date(now));

      expect(await sweepStrayFiles(core.db, media, now, GRACE)).toBe(1);
      expect(await media.get(stray)).toBeNull();
      expect(await media.get(young)).not.toBeNull();
      for (const name of fileNames(kept)) expect(await media.get(name)).not.toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
