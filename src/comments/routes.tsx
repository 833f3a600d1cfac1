import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { articlePath } from '../paths';
import type { AppDeps } from '../app-types';
import { canDeleteComment } from '../articles/policy';
import { requireArticle, showArticlePage } from '../articles/routes';
import { currentUser, requireUser } from '../auth/middleware';
import { backTo } from '../lib/back';
import { setFlash } from '../lib/flash';
import { errorsFromZod, field, readForm } from '../lib/form';
import { CommentFormSchema } from '../articles/schemas';
import { addComment, deleteComment, findComment } from './queries';

export function commentRoutes(deps: AppDeps) {
  const app = new Hono();

  app.post('/article/:slug/comments', requireUser(), async (c) => {
    const user = currentUser(c);
    const article = requireArticle(c, deps);
    const form = await readForm(c);
    const parsed = CommentFormSchema.safeParse({ body: field(form, 'body') });
    if (!parsed.success) {
      c.status(422);
      return showArticlePage(c, deps, article, {
        value: field(form, 'body'),
        errors: errorsFromZod(parsed.error, { body: 'Comment' }),
      });
    }
    deps.limits.enforce('comments', user.id, deps.clock(), c.get('requestId'));
    addComment(deps.db, article.id, user.id, parsed.data.body, deps.clock());
    setFlash(c, 'Comment posted.');
    return c.redirect(articlePath(article.slug), 303);
  });

  app.post('/article/:slug/comments/:id/delete', requireUser(), async (c) => {
    const user = currentUser(c);
    const article = requireArticle(c, deps);
    const id = c.req.param('id');
    const comment = /^[1-9][0-9]{0,15}$/.test(id) ? findComment(deps.db, article.id, Number(id), user.id) : null;
    if (!comment) throw new HTTPException(404, { message: 'That comment does not exist.' });
    if (!canDeleteComment(user, comment)) throw new HTTPException(403, { message: 'Only its author can delete a comment.' });
    deleteComment(deps.db, article.id, comment.id);
    setFlash(c, 'Comment deleted.');
    return c.redirect(backTo(await readForm(c), articlePath(article.slug)), 303);
  });

  return app;
}
