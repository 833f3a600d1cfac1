/**
 * Which articles, profiles and site pages show which image (the media_uses table): rewritten in
 * the transaction of every write to them, from the text they hold (src/media/names.ts finds the
 * addresses). The clean-ups remove an image no row names once its grace period is over
 * (src/media/cleanup.ts); a moderator's removal finds every place an image is shown here.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { mediaKeysIn } from './names';

export type MediaUser = { articleId: number } | { userId: number } | { pageId: number };

/** Records the images `texts` show as the only ones `owner` uses. Call it inside the write's transaction. */
export async function recordMediaUses(tx: Db, owner: MediaUser, ...texts: (string | null | undefined)[]): Promise<void> {
  const { mediaUses } = tablesOf(tx);
  const column =
    'articleId' in owner ? mediaUses.articleId : 'userId' in owner ? mediaUses.userId : mediaUses.pageId;
  const id = 'articleId' in owner ? owner.articleId : 'userId' in owner ? owner.userId : owner.pageId;
  const keys = mediaKeysIn(...texts);
  await tx.delete(mediaUses).where(eq(column, id));
  if (keys.length === 0) return;
  await tx.insert(mediaUses).values(keys.map((key) => ({ key, ...owner })));
}
