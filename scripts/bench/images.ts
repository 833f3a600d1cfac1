/**
 * `npm run bench:images [-- --quick] [--duration=S]`: what images cost (issue #18, point 6).
 *
 * (a) Processing one 12-megapixel JPEG (4000 × 3000, photo-like noise) as an upload is processed
 *     (src/media/process.ts: checks, upright, re-encoded at 2400 px, three WebP widths), in a child
 *     process of its own that reads its own peak RSS (process.resourceUsage().maxRSS) before and
 *     after, and the time it took.
 * (b) Page p99 (the home page and an article page, autocannon) on the small dataset, with no
 *     uploads, then while ten uploads of that photo run through POST /api/uploads at once (each
 *     of ten clients uploads again as soon as its last answer comes), in the same run: sharp works
 *     on libuv's pool, PROCESSING_SLOTS at a time, never on the thread that serves pages.
 *
 * A phase of its own rather than one of `npm run bench`: it needs no large dataset, and the smoke
 * run (`npm run test:bench`) stays as fast as it was.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../src/auth/password';
import { photoLikeJpeg, solidJpeg } from '../../src/test-support/images';
import { PROCESSING_SLOTS, processImage } from '../../src/media/process';
import { runLoad, type LoadResult } from './measure';
import { say, startQuire } from './phases';
import { SMALL, seedDataset } from './seed';
import { canPin, killAllServers, pinSelf, ROOT } from './servers';
import { PAGE_HEADERS } from './targets';

const UPLOADERS = 10;
const CONNECTIONS = 10;

const photo = photoLikeJpeg;

/** (a), in the child: one image processed, with this process's own peak RSS before and after. */
async function child(file: string): Promise<void> {
  const bytes = fs.readFileSync(file);
  // sharp and libvips loaded and warmed on a small image first, so "before" is the process ready to work
  await processImage(await solidJpeg(64, 64, '#000'), { maxBytes: 10 << 20, maxPixels: 50e6, shape: 'as-is' });
  const before = process.resourceUsage().maxRSS;
  const started = performance.now();
  const result = await processImage(bytes, { maxBytes: 10 << 20, maxPixels: 50e6, shape: 'as-is' });
  const ms = performance.now() - started;
  const after = process.resourceUsage().maxRSS;
  process.stdout.write(
    JSON.stringify({ ms: Math.round(ms), maxRssBeforeMb: Math.round(before / 1024), maxRssAfterMb: Math.round(after / 1024), files: result.files.length, storedBytes: result.bytes }),
  );
}

type Processing = { ms: number; maxRssBeforeMb: number; maxRssAfterMb: number; files: number; storedBytes: number };

function measureProcessing(file: string): Processing {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bench/images.ts'), '--child', file], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the processing child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Processing;
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const durationArg = argv.find((arg) => arg.startsWith('--duration='));
  const durationSec = durationArg ? Number(durationArg.slice('--duration='.length)) : quick ? 2 : 5;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-bench-images-'));
  try {
    const jpeg = await photo(4000, 3000);
    const file = path.join(tmp, 'photo.jpg');
    fs.writeFileSync(file, jpeg);
    say(`(a) processing a 12-megapixel JPEG of ${(jpeg.length / 1024 / 1024).toFixed(1)} MB, in a child process`);
    const processing = measureProcessing(file);
    say(`    ${processing.ms} ms; peak RSS ${processing.maxRssBeforeMb} MB before, ${processing.maxRssAfterMb} MB after`);

    if (canPin) pinSelf();
    const dataset = await seedDataset(path.join(tmp, 'small.db'), SMALL, await hashPassword('bench-password-not-secret'));
    const { server } = await startQuire('source', dataset);
    try {
      const targets = [
        { name: 'home', path: '/' },
        { name: 'article', path: `/article/${encodeURIComponent(dataset.knownArticleSlug)}` },
      ];
      const pageLoad = (target: { path: string }) =>
        runLoad({ url: server.url, connections: CONNECTIONS, durationSec, request: { method: 'GET', path: target.path, headers: PAGE_HEADERS } });
      // warm: the first requests pay for the JIT and the cache
      for (const target of targets) await runLoad({ url: server.url, connections: CONNECTIONS, durationSec: 1, request: { method: 'GET', path: target.path, headers: PAGE_HEADERS } });

      const idle: Record<string, LoadResult> = {};
      for (const target of targets) {
        say(`(b) ${target.name}, no uploads (${durationSec} s)`);
        idle[target.name] = await pageLoad(target);
      }

      let stop = false;
      const uploads: { ms: number; status: number }[] = [];
      const uploader = async () => {
        while (!stop) {
          const form = new FormData();
          form.set('file', new File([new Uint8Array(jpeg)], 'photo.jpg', { type: 'image/jpeg' }));
          const started = performance.now();
          const res = await fetch(`${server.url}/api/uploads`, { method: 'POST', headers: { authorization: `Token ${dataset.reader.token}` }, body: form });
          await res.arrayBuffer();
          uploads.push({ ms: performance.now() - started, status: res.status });
        }
      };
      const busy: Record<string, LoadResult> = {};
      const running = Array.from({ length: UPLOADERS }, uploader);
      for (const target of targets) {
        say(`(b) ${target.name}, while ${UPLOADERS} uploads run at once (${durationSec} s)`);
        busy[target.name] = await pageLoad(target);
      }
      stop = true;
      await Promise.all(running);

      const accepted = uploads.filter((u) => u.status === 201);
      const sorted = accepted.map((u) => u.ms).sort((a, b) => a - b);
      const summary = {
        processing,
        photoBytes: jpeg.length,
        processingSlots: PROCESSING_SLOTS,
        pinned: canPin,
        durationSec,
        connections: CONNECTIONS,
        pages: targets.map(({ name }) => ({
          name,
          idle: { p50Ms: round(idle[name]!.p50Ms), p99Ms: round(idle[name]!.p99Ms), rps: Math.round(idle[name]!.rps), errors: idle[name]!.errors },
          uploading: { p50Ms: round(busy[name]!.p50Ms), p99Ms: round(busy[name]!.p99Ms), rps: Math.round(busy[name]!.rps), errors: busy[name]!.errors },
        })),
        uploads: { done: uploads.length, accepted: accepted.length, p50Ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), maxMs: Math.round(sorted.at(-1) ?? 0) },
      };
      console.log(JSON.stringify(summary, null, 2));
    } finally {
      await server.stop();
    }
  } finally {
    killAllServers();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

const childAt = process.argv.indexOf('--child');
(childAt !== -1 ? child(process.argv[childAt + 1]!) : main(process.argv.slice(2))).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
