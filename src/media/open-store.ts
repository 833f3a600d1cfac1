import path from 'node:path';
import type { Env } from '../env';
import { fileMediaStore, type MediaStore } from './store';

/** The folder of the file store: MEDIA_DIR, else media/ beside the SQLite database. */
export function mediaDirOf(env: Pick<Env, 'MEDIA_DIR' | 'DATABASE_PATH'>): string {
  return path.resolve(env.MEDIA_DIR ?? path.join(path.dirname(path.resolve(env.DATABASE_PATH)), 'media'));
}

/** The media store the environment chooses (docs: README, "Images"). */
export function openMediaStore(env: Env): MediaStore {
  return fileMediaStore(mediaDirOf(env));
}
