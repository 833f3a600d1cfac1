/**
 * The images of a backup. A backup is the database (SQLite's file, or PostgreSQL's pg_dump
 * archive) and, beside it, `<backup>.media/`: every file of the media store, whichever store it is
 * (a folder, or an S3 bucket), and `manifest.json` listing each with its size and SHA-256.
 *
 * - Written after the database's copy is taken and verified, before either is put in place: the
 *   store is listed after the snapshot, and stored names are never rewritten (they hold a content
 *   hash), so every image the snapshot names is in the store unless it was deleted since. A file
 *   the database names (an upload not removed) that is not in the store fails the backup.
 * - A file an earlier backup in the same folder already holds is hard-linked from it, not copied
 *   again: scheduled backups of a site whose images rarely change cost little more than the database.
 * - Verified with the database (`quire backup --verify`, `quire restore`): the manifest read, every
 *   file present with its size and SHA-256, an original's bytes hashing to the key in its name, and
 *   every image the database names present.
 * - Restored into the configured store before the database, so the restored site finds each image.
 *
 * Hashing a file of several MB at once would hold the thread for milliseconds: it goes in slices,
 * yielding between them (PostgreSQL's scheduled backups run in the server's process).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileNames, parseFileName, parseMediaUrl } from '../media/names';
import { contentTypeOfName, type MediaStore } from '../media/store';
import { OperationError } from './backup';

export const MANIFEST_NAME = 'manifest.json';
/** Files copied from the store at once (an S3 store answers each after a round trip). */
const COPIES_AT_ONCE = 4;
const HASH_SLICE = 1024 * 1024;

export type ManifestEntry = { name: string; bytes: number; sha256: string };
type Manifest = { files: ManifestEntry[] };

export type MediaBackupSummary = { files: number; bytes: number; linked: number };

/** The media folder of a backup file. */
export function mediaFolderOf(backupFile: string): string {
  return `${path.resolve(backupFile)}.media`;
}

/** Every file the uploads rows (their `url`s) name: an image's original and its WebP copies. */
export function mediaNamesOf(urls: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const url of urls) {
    const image = parseMediaUrl(url);
    if (image) for (const name of fileNames(image)) names.add(name);
  }
  return [...names].sort();
}

async function sha256OfBytes(bytes: Buffer): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length; at += HASH_SLICE) {
    hash.update(bytes.subarray(at, at + HASH_SLICE));
    if (at + HASH_SLICE < bytes.length) await nextTurn();
  }
  return hash.digest('hex');
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function readManifest(folder: string): Manifest | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(folder, MANIFEST_NAME), 'utf8');
  } catch {
    return null;
  }
  const manifest = JSON.parse(text) as Manifest;
  if (!Array.isArray(manifest.files)) throw new Error('no list of files');
  return manifest;
}

/** The files earlier backups in `dir` hold (newest backup first), to link rather than copy. */
function earlierFiles(dir: string, except: string): Map<string, { file: string; entry: ManifestEntry }> {
  const found = new Map<string, { file: string; entry: ManifestEntry }>();
  let folders: string[];
  try {
    folders = fs.readdirSync(dir).filter((name) => name.endsWith('.media') && path.join(dir, name) !== except);
  } catch {
    return found;
  }
  for (const name of folders.sort().reverse()) {
    let manifest: Manifest | null = null;
    try {
      manifest = readManifest(path.join(dir, name));
    } catch {
      continue; // a damaged earlier backup is simply not linked from
    }
    for (const entry of manifest?.files ?? []) {
      if (!found.has(entry.name) && parseFileName(entry.name)) found.set(entry.name, { file: path.join(dir, name, entry.name), entry });
    }
  }
  return found;
}

/** A hard link, or a copy where links cannot be made (another file system, a folder that forbids them). */
function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

export type PendingMedia = {
  summary: MediaBackupSummary;
  /** puts the media folder in place (replacing an older one of the same backup) */
  commit(): void;
  /** removes what was written, unless committed */
  discard(): void;
};

/**
 * Copies every file of `store` into `<target>.media.partial-<pid>` with its manifest; `required`
 * (the names the backup's database needs) must all be there. The caller commits it just before it
 * renames the database into place, or discards it.
 */
export async function writeMediaBackup(
  store: MediaStore,
  target: string,
  required: string[],
  interrupted: () => void = () => {},
): Promise<PendingMedia> {
  const folder = mediaFolderOf(target);
  const partial = `${folder}.partial-${process.pid}`;
  let committed = false;
  const discard = () => {
    if (!committed) fs.rmSync(partial, { recursive: true, force: true });
  };
  try {
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial, { recursive: true });
    const earlier = earlierFiles(path.dirname(folder), folder);
    const names: string[] = [];
    for await (const name of store.list()) names.push(name);
    if (names.length === 0 && required.length === 0) {
      // a site without images: no folder (verification asks for none), and none left from an older backup of this name
      fs.rmSync(partial, { recursive: true, force: true });
      return {
        summary: { files: 0, bytes: 0, linked: 0 },
        commit() {
          fs.rmSync(folder, { recursive: true, force: true });
          committed = true;
        },
        discard,
      };
    }
    const entries: ManifestEntry[] = [];
    let linked = 0;
    let next = 0;
    const copyOne = async (name: string) => {
      const file = path.join(partial, name);
      const before = earlier.get(name);
      if (before && fs.existsSync(before.file) && fs.statSync(before.file).size === before.entry.bytes) {
        linkOrCopy(before.file, file);
        entries.push(before.entry);
        linked += 1;
        return;
      }
      const stored = await store.get(name);
      if (!stored) return; // deleted since it was listed: checked against `required` below
      await fs.promises.writeFile(file, stored.bytes);
      entries.push({ name, bytes: stored.bytes.length, sha256: await sha256OfBytes(stored.bytes) });
    };
    await Promise.all(
      Array.from({ length: COPIES_AT_ONCE }, async () => {
        while (next < names.length) {
          interrupted();
          await copyOne(names[next++]!);
        }
      }),
    );
    interrupted();
    const have = new Set(entries.map((entry) => entry.name));
    const missing = required.filter((name) => !have.has(name));
    if (missing.length > 0) {
      throw new OperationError(
        `The media store (${store.description}) lacks ${missing.length} image file${missing.length === 1 ? '' : 's'} the database names ` +
          `(${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}): nothing was written. ` +
          'If an image was being removed while the backup ran, take the backup again.',
      );
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    fs.writeFileSync(path.join(partial, MANIFEST_NAME), `${JSON.stringify({ files: entries }, null, 1)}\n`);
    return {
      summary: { files: entries.length, bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0), linked },
      commit() {
        fs.rmSync(folder, { recursive: true, force: true });
        fs.renameSync(partial, folder);
        committed = true;
      },
      discard,
    };
  } catch (error) {
    discard();
    throw error;
  }
}

/**
 * Checks a backup's media against its database: `required` are the files the database names (its
 * uploads not removed). `name` is how messages call the backup. Returns what the folder holds.
 */
export async function verifyMediaBackup(backupFile: string, required: string[], name = backupFile): Promise<MediaBackupSummary> {
  const folder = mediaFolderOf(backupFile);
  const label = `${name}.media`;
  let manifest: Manifest | null;
  try {
    manifest = readManifest(folder);
  } catch (error) {
    throw new OperationError(`${label}/${MANIFEST_NAME} is damaged: ${(error as Error).message}`);
  }
  if (!manifest) {
    if (required.length === 0) return { files: 0, bytes: 0, linked: 0 };
    throw new OperationError(
      `${name} names ${required.length} image file${required.length === 1 ? '' : 's'}, but ${fs.existsSync(folder) ? `${label} has no ${MANIFEST_NAME}` : `there is no ${label} folder beside it`}: its images are not in this backup.`,
    );
  }
  const problems: string[] = [];
  let bytes = 0;
  for (const entry of manifest.files) {
    const parsed = parseFileName(entry.name);
    if (!parsed) {
      problems.push(`${entry.name} is not a name Quire makes`);
      continue;
    }
    const file = path.join(folder, entry.name);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      problems.push(`${entry.name} is missing`);
      continue;
    }
    const sha256 = size === entry.bytes ? await sha256OfFile(file) : null;
    // an original's name holds the hash of its bytes: the manifest cannot vouch for a wrong one
    if (sha256 !== entry.sha256 || (parsed.variant === null && !entry.sha256.startsWith(parsed.image.key))) {
      problems.push(`${entry.name} is damaged (${size === entry.bytes ? 'its SHA-256 differs from the manifest' : `${size} bytes, not ${entry.bytes}`})`);
      continue;
    }
    bytes += size;
  }
  const listed = new Set(manifest.files.map((entry) => entry.name));
  for (const missing of required.filter((file) => !listed.has(file))) problems.push(`${missing}, which the database names, is not in it`);
  if (problems.length > 0) {
    throw new OperationError(
      `${label} fails verification: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}.`,
    );
  }
  return { files: manifest.files.length, bytes, linked: 0 };
}

/**
 * Puts a verified backup's images into `store`: each file the store does not have already (names
 * never change content, so one it has is the same file). Files the store holds that the backup
 * does not (uploaded after it) are left: nothing names them once the database is restored.
 */
export async function restoreMediaBackup(backupFile: string, store: MediaStore): Promise<{ put: number; present: number }> {
  const folder = mediaFolderOf(backupFile);
  const manifest = readManifest(folder);
  if (!manifest) return { put: 0, present: 0 };
  const present = new Set<string>();
  for await (const name of store.list()) present.add(name);
  let put = 0;
  for (const entry of manifest.files) {
    if (present.has(entry.name)) continue;
    await store.put(entry.name, await fs.promises.readFile(path.join(folder, entry.name)), contentTypeOfName(entry.name));
    put += 1;
  }
  return { put, present: manifest.files.length - put };
}

/** "12 images files (3.4 MiB, 10 linked from the previous backup)" for the CLI. */
export function describeMedia(summary: MediaBackupSummary): string {
  const size = summary.bytes < 1024 * 1024 ? `${(summary.bytes / 1024).toFixed(1)} KiB` : `${(summary.bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${summary.files} image file${summary.files === 1 ? '' : 's'} (${size}${summary.linked ? `, ${summary.linked} linked from an earlier backup` : ''})`;
}
