/**
 * Where image files live: the media store. Two implementations behind one small interface: files
 * in a folder beside the database (the default, for one machine), and an S3-compatible object
 * store (for several nodes: every node reads and writes the same bucket). The environment chooses
 * (src/env.ts, MEDIA_STORE). Names are made by src/media/names.ts and checked before they reach a
 * store, so no store ever sees a path a user chose.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseFileName } from './names';

export type StoredFile = { bytes: Buffer; contentType: string };

export interface MediaStore {
  /** what the README and `quire doctor` call it: "files in /srv/quire/media", "s3://bucket/prefix" */
  readonly description: string;
  /** Writes a file whole: a reader sees the old state or the new file, never part of it. */
  put(name: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The file, or null when there is none. */
  get(name: string): Promise<StoredFile | null>;
  /** Deletes the file; a missing file is no error. */
  delete(name: string): Promise<void>;
  /** Every stored name, in no particular order (backups, checks). */
  list(): AsyncIterable<string>;
  /** When the file was written (ms), or null when there is none; a store that cannot tell cheaply leaves it out (src/media/cleanup.ts's sweep). */
  modifiedAt?(name: string): Promise<number | null>;
}

/** Refuses a name Quire does not make: the last guard before a file system or a bucket. */
export function assertMediaName(name: string): void {
  if (parseFileName(name) === null) throw new Error(`not a media file name: ${JSON.stringify(name)}`);
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

/** The Content-Type of a stored name: from the extension Quire wrote, which is the format it encoded. */
export function contentTypeOfName(name: string): string {
  return CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

/**
 * Files in `dir` (default: `media/` beside the SQLite database). Written to a temporary name and
 * renamed, so a reader never sees half a file; the names hold a content hash, so a file once
 * written never changes.
 */
export function fileMediaStore(dir: string): MediaStore {
  const root = path.resolve(dir);
  const fileOf = (name: string) => {
    assertMediaName(name);
    return path.join(root, name);
  };
  return {
    description: `files in ${root}`,
    async put(name, bytes) {
      const file = fileOf(name);
      await fs.mkdir(root, { recursive: true });
      const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      await fs.writeFile(temp, bytes, { mode: 0o644 });
      await fs.rename(temp, file);
    },
    async get(name) {
      try {
        return { bytes: await fs.readFile(fileOf(name)), contentType: contentTypeOfName(name) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(name) {
      await fs.rm(fileOf(name), { force: true });
    },
    /** when the file was written: the clean-up's sweep of stray files asks (src/media/cleanup.ts) */
    async modifiedAt(name: string) {
      try {
        return (await fs.stat(fileOf(name))).mtimeMs;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async *list() {
      let names: string[];
      try {
        names = await fs.readdir(root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const name of names) if (parseFileName(name) !== null) yield name;
    },
  };
}

/** A store in memory: for tests that need no files. */
export function memoryMediaStore(): MediaStore & { files: Map<string, StoredFile> } {
  const files = new Map<string, StoredFile>();
  return {
    description: 'memory',
    files,
    async put(name, bytes, contentType) {
      assertMediaName(name);
      files.set(name, { bytes, contentType });
    },
    async get(name) {
      assertMediaName(name);
      return files.get(name) ?? null;
    },
    async delete(name) {
      files.delete(name);
    },
    async *list() {
      yield* files.keys();
    },
  };
}
