/**
 * A person's data (issue #17, "Your data"): export everything they wrote as a zip, and delete
 * their own account. Admins export a member's data from /admin/users, the operator with
 * `quire user export`; admins and the operator delete accounts through src/accounts/use-cases.ts
 * (deleteUser), whose queries the self-deletion here shares.
 */
import { recordAudit } from '../audit/log';
import { countContentOf, deleteAccount, isPlaceholder, placeholderAccount } from '../accounts/queries';
import { canManage } from '../accounts/use-cases';
import { fail, Forbidden, NotFound, succeed, type Caller, type Core, type Outcome } from '../core';
import type { User } from '../db/schema';
import { transaction } from '../db/transaction';
import { deleteFilesAfterRemoval, removeImagesOfAccount } from '../media/cleanup';
import { isOwner, requirePermission } from '../roles/permissions';
import { recordSecurityEvent } from '../security/audit';
import { confirmPasswordAndCode } from '../two-factor/use-cases';
import { findUserById } from '../users/queries';
import { findUserNamed, signedInUser } from '../users/use-cases';
import { articlesPage, commentsPage, deleteCommentsBy, EXPORT_ARTICLE_PAGE_SIZE, EXPORT_PAGE_SIZE, favoritesPage, followsPage, type ExportedArticle } from './queries';
import { zipStream, type ZipFile } from './zip';

export const OWNER_MUST_HAND_OVER =
  "The owner's account cannot be deleted: hand the site over to someone else first (Admin, Users, Hand over ownership), then delete your account.";

export type AccountExport = { username: string; filename: string; stream: ReadableStream<Uint8Array> };

/** A YAML scalar: JSON's double-quoted strings are YAML's too. */
const yaml = (value: string) => JSON.stringify(value);

/** An article as Markdown with its front matter. */
export function articleMarkdown(article: ExportedArticle): string {
  const lines = [
    '---',
    `title: ${yaml(article.title)}`,
    `description: ${yaml(article.description)}`,
    `tags: [${article.tags.map(yaml).join(', ')}]`,
    `created: ${article.createdAt.toISOString()}`,
    `updated: ${article.updatedAt.toISOString()}`,
    article.publishedAt ? `published: ${article.publishedAt.toISOString()}` : 'draft: true',
    '---',
    '',
  ];
  return `${lines.join('\n')}${article.body}\n`;
}

/** Pages of rows, each page read when the zip asks for more. */
async function* paged<T>(read: (after: number) => Promise<T[]>, keyOf: (row: T) => number, size = EXPORT_PAGE_SIZE): AsyncGenerator<T[]> {
  let after = 0;
  for (;;) {
    const rows = await read(after);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

/** account.json, written a page at a time: the account, its comments, favorites and follows. */
async function* accountJson(core: Core, user: User, now: number): AsyncGenerator<string> {
  const account = {
    username: user.username,
    email: user.email,
    bio: user.bio,
    image: user.image,
    role: user.role,
    created: user.createdAt.toISOString(),
  };
  yield `{\n  "format": "quire-export/1",\n  "exported": ${JSON.stringify(new Date(now).toISOString())},\n  "account": ${JSON.stringify(account)},\n`;
  // each list as a JSON array, one item a line
  const list = async function* (name: string, pages: AsyncGenerator<unknown[]>, last: boolean) {
    yield `  ${JSON.stringify(name)}: [`;
    let first = true;
    for await (const rows of pages) {
      yield rows.map((row) => `${first ? ((first = false), '\n    ') : ',\n    '}${JSON.stringify(row)}`).join('');
    }
    yield `${first ? '' : '\n  '}]${last ? '\n' : ',\n'}`;
  };
  const comments = async function* () {
    for await (const rows of paged((after) => commentsPage(core.db, user.id, after), (row) => row.id)) {
      yield rows.map((row) => ({ article: row.article, body: row.body, created: row.createdAt.toISOString(), updated: row.updatedAt.toISOString() }));
    }
  };
  const favorites = async function* () {
    for await (const rows of paged((after) => favoritesPage(core.db, user.id, after), (row) => row.articleId)) yield rows.map((row) => row.slug);
  };
  const follows = async function* () {
    for await (const rows of paged((after) => followsPage(core.db, user.id, after), (row) => row.userId)) yield rows.map((row) => row.username);
  };
  yield* list('comments', comments(), false);
  yield* list('favorites', favorites(), false);
  yield* list('follows', follows(), true);
  yield '}\n';
}

async function* exportFiles(core: Core, user: User, now: number): AsyncGenerator<ZipFile> {
  yield { name: 'account.json', mtime: new Date(now), parts: accountJson(core, user, now) };
  for await (const rows of paged((after) => articlesPage(core.db, user.id, after), (row) => row.id, EXPORT_ARTICLE_PAGE_SIZE)) {
    for (const article of rows) {
      yield { name: `articles/${article.slug}.md`, mtime: article.updatedAt, parts: (async function* () { yield articleMarkdown(article); })() };
    }
  }
}

/**
 * Everything an account wrote, as a zip read while it is sent: account.json (the account; its
 * comments with their article's slug; the slugs it favorited; the names it follows; never a
 * hash, key or token) and articles/SLUG.md for each article, drafts too. One's own (no
 * `username`), or, for admins (on accounts they manage) and the operator, someone else's, which
 * the audit log records. Rate-limited per account (RATE_LIMIT_EXPORTS), but not for the operator.
 */
export async function exportAccountData(core: Core, caller: Caller, input: { username?: string } = {}): Promise<AccountExport> {
  const now = core.clock();
  let user: User;
  if (input.username === undefined) {
    const own = await findUserById(core.db, signedInUser(caller));
    if (!own) throw new NotFound('user', 'That account no longer exists.');
    user = own;
  } else {
    if (caller.door !== 'cli') requirePermission(caller, 'user:suspend');
    user = await findUserNamed(core.db, input.username);
    if (caller.door !== 'cli' && user.id !== caller.userId && !canManage(caller, user)) {
      throw new Forbidden('user', 'You can export the data of accounts whose role is below your own only.');
    }
  }
  if (caller.door !== 'cli') await core.limits.enforce('exports', `user:${caller.userId}`, now, caller.requestId ?? undefined);
  if (user.id !== caller.userId) {
    await transaction(core.db, (tx) =>
      recordAudit(tx, caller, { action: 'user.export', target: { kind: 'user', id: user.id, label: user.username } }, now),
    );
  }
  recordSecurityEvent(core.log, caller, 'account.exported', { userId: user.id });
  const day = new Date(now).toISOString().slice(0, 10);
  return { username: user.username, filename: `quire-${user.username}-${day}.zip`, stream: zipStream(exportFiles(core, user, now)) };
}

/** What the confirmation page of deleting one's own account shows. */
export async function findOwnAccountToDelete(core: Pick<Core, 'db'>, caller: Caller) {
  const user = await findUserById(core.db, signedInUser(caller));
  if (!user) throw new NotFound('user', 'That account no longer exists.');
  return { user, isOwner: isOwner(user.role), twoFactor: user.totpKey !== null, ...(await countContentOf(core.db, user.id)) };
}

/**
 * A person deletes their own account (the password and, when a second factor is on, a current
 * code): its articles go with it, or stay under the placeholder `deleted.author` (keepContent);
 * its comments, favorites, follows and sessions go either way. The owner must hand the site over first.
 */
export async function deleteOwnAccount(
  core: Core,
  caller: Caller,
  input: { password: string; code?: string; keepContent: boolean },
): Promise<Outcome<{ username: string; articles: number; comments: number; keptContent: boolean }>> {
  const user = await findUserById(core.db, signedInUser(caller));
  if (!user) throw new NotFound('user', 'That account no longer exists.');
  if (isOwner(user.role)) throw new Forbidden('user', OWNER_MUST_HAND_OVER);
  if (isPlaceholder(user)) throw new Forbidden('user', 'This account cannot be deleted.');
  const refused = await confirmPasswordAndCode(core, caller, user, input);
  if (refused) return fail(refused);
  const now = core.clock();
  const outcome = await transaction(core.db, async (tx) => {
    const current = await findUserById(tx, user.id);
    if (!current) throw new NotFound('user', 'That account no longer exists.');
    // the owner role may have been handed to this account meanwhile
    if (isOwner(current.role)) throw new Forbidden('user', OWNER_MUST_HAND_OVER);
    const keeper = input.keepContent ? await placeholderAccount(tx, now) : null;
    // written first: the entry names its actor while the account still exists
    await recordAudit(
      tx,
      caller,
      { action: 'user.delete', target: { kind: 'user', id: user.id, label: user.username }, details: { keptContent: input.keepContent, self: true } },
      now,
    );
    // comments go with the account whichever the choice (as the foreign key takes them without one)
    const comments = await deleteCommentsBy(tx, user.id);
    // its images go with it (those its kept articles show stay with them: src/media/cleanup.ts)
    const images = await removeImagesOfAccount(tx, user.id, now, input.keepContent);
    const counts = await deleteAccount(tx, user.id, keeper?.id ?? null, now);
    return { deleted: { username: user.username, articles: counts.articles, comments, keptContent: input.keepContent }, images };
  });
  await deleteFilesAfterRemoval(core, outcome.images);
  recordSecurityEvent(core.log, caller, 'account.deleted', { userId: user.id, keptContent: input.keepContent });
  return succeed(outcome.deleted);
}
