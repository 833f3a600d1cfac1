import path from 'node:path';
import type { Env } from '../env';
import { s3MediaStore } from './s3-store';
import { fileMediaStore, type MediaStore } from './store';

/** The folder of the file store: MEDIA_DIR, else media/ beside the SQLite database. */
export function mediaDirOf(env: Pick<Env, 'MEDIA_DIR' | 'DATABASE_PATH'>): string {
  return path.resolve(env.MEDIA_DIR ?? path.join(path.dirname(path.resolve(env.DATABASE_PATH)), 'media'));
}

/**
 * The media store the environment chooses (README, "Where images are kept"): MEDIA_STORE=files
 * (the default: a folder on this machine) or s3 (a bucket every node shares). loadEnv has checked
 * that an S3 store has its bucket and credentials.
 */
export function openMediaStore(env: Env): MediaStore {
  if (env.MEDIA_STORE === 's3' && env.S3) return s3MediaStore(env.S3);
  return fileMediaStore(mediaDirOf(env));
}
