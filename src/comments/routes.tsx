import { Hono } from 'hono';
import { articlePath } from '../paths';
import type { AppDeps } from '../app-types';
import { requireArticle, showArticlePage } from '../articles/routes';
import { requireUser } from '../auth/middleware';
import { backTo } from '../lib/back';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromZod, field, formError, readForm } from '../lib/form';
import { TooManyRequests } from '../security/limits';
import { HONEYPOT_FIELD, SpamRefused } from '../site/spam';
import { CommentFormSchema } from '../articles/schemas';
import { addComment, deleteComment } from './use-cases';

export function commentRoutes(deps: AppDeps) {
  const app = new Hono();

  app.post('/article/:slug/comments', requireUser(), async (c) => {
    // read before the form: an article that is not there is a 404 whatever was typed, and a
    // refused comment is shown again on its page
    const article = await requireArticle(c, deps);
    const form = await readForm(c);
    const parsed = CommentFormSchema.safeParse({ body: field(form, 'body') });
    if (!parsed.success) {
      c.status(422);
      return await showArticlePage(c, deps, article, {
        value: field(form, 'body'),
        errors: errorsFromZod(parsed.error, { body: 'Comment' }),
      });
    }
    try {
      await addComment(deps, callerOf(c, 'web'), { slug: article.slug, body: parsed.data.body, honeypot: field(form, HONEYPOT_FIELD) });
    } catch (error) {
      // a honeypot or a new account's first-day allowance: the comment comes back with why
      if (!(error instanceof SpamRefused || error instanceof TooManyRequests)) throw error;
      c.status(error.status);
      if (error instanceof TooManyRequests) c.header('Retry-After', String(error.retryAfterSeconds));
      return await showArticlePage(c, deps, article, { value: field(form, 'body'), errors: formError(null, error.message) });
    }
    setFlash(c, 'Comment posted.');
    return c.redirect(articlePath(article.slug), 303);
  });

  app.post('/article/:slug/comments/:id/delete', requireUser(), async (c) => {
    const slug = c.req.param('slug');
    await deleteComment(deps, callerOf(c, 'web'), { slug, commentId: c.req.param('id') });
    setFlash(c, 'Comment deleted.');
    return c.redirect(backTo(await readForm(c), articlePath(slug)), 303);
  });

  return app;
}
