/**
 * Who may change or delete an article or a comment, written once; use cases ask here, and routes
 * ask the same functions to decide which buttons a page shows. Roles' permissions are
 * src/roles/permissions.ts; what a viewer may see at all is ./visibility.ts.
 */
import type { Caller } from '../core';
import { can } from '../roles/permissions';

type Owned = { author: { id: number } };

/** Only an article's author may edit it (a moderator hides or deletes it, never rewrites it). */
export function canEditArticle(user: { id: number } | null, article: Owned): boolean {
  return user !== null && user.id === article.author.id;
}

/** Its author, or anyone whose role may delete any article (moderators and up). */
export function canDeleteArticle(caller: Caller, article: Owned): boolean {
  if (caller.userId !== null && caller.userId === article.author.id) return true;
  return can(caller, 'article:delete:any');
}

/**
 * Its author; the author of the article it is under, who keeps their space clean (issue #16,
 * point 2); or anyone whose role may delete any comment.
 */
export function canDeleteComment(caller: Caller, comment: Owned, article: Owned): boolean {
  if (caller.userId !== null && (caller.userId === comment.author.id || caller.userId === article.author.id)) return true;
  return can(caller, 'comment:delete:any');
}

/** Whether deleting this is acting on someone else's content: such acts go to the audit log. */
export const actsOnOthers = (caller: Caller, item: Owned): boolean => caller.userId !== item.author.id;
