/**
 * `quire backup --verify FILE`: a backup checked as restore checks it, without restoring it. The
 * database (a SQLite file, or a pg_dump archive: told apart by their first bytes) and its images
 * (`FILE.media/`) together: every image the database names must be there, whole.
 */
import fs from 'node:fs';
import { OperationError, requiredMediaOfSqlite, verifyDatabaseFile } from './backup';
import { verifyMediaBackup, type MediaBackupSummary } from './media-backup';
import { requiredMediaOfDump, verifyPostgresDump, type ToolOptions } from './postgres-backup';

export type BackupKind = 'sqlite' | 'postgres';

/** What a backup file is, by its first bytes; null for neither. */
export function backupKind(file: string): BackupKind | null {
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'postgres';
  return null;
}

export async function verifyBackup(file: string, options: ToolOptions = {}): Promise<{ kind: BackupKind; media: MediaBackupSummary }> {
  if (!fs.existsSync(file)) throw new OperationError(`${file} does not exist`);
  const kind = backupKind(file);
  if (kind === 'sqlite') {
    verifyDatabaseFile(file);
    return { kind, media: await verifyMediaBackup(file, requiredMediaOfSqlite(file)) };
  }
  if (kind === 'postgres') {
    await verifyPostgresDump(file, options);
    return { kind, media: await verifyMediaBackup(file, await requiredMediaOfDump(file, options)) };
  }
  throw new OperationError(`${file} is neither a SQLite database nor a pg_dump archive`);
}
