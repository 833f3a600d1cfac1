import { Hono, type Context } from 'hono';
import type { AppDeps } from '../app-types';
import { listArticles, type ArticleFilter } from '../articles/queries';
import {
  createArticle,
  deleteArticle,
  favoriteArticle,
  findArticleToEdit,
  findArticleToRead,
  unfavoriteArticle,
  updateArticle,
} from '../articles/use-cases';
import { listCommentsForArticle } from '../comments/queries';
import { addComment, CommentsOff, deleteComment, findArticleToComment } from '../comments/use-cases';
import { showsComments } from '../cache';
import { viewerOf } from '../articles/visibility';
import { callerOf } from '../lib/caller';
import { searchArticles } from '../search/queries';
import { COVER_NOT_OURS, CoverRefused } from '../articles/cover';
import { apiUser, requireApiUser } from './auth';
import { ApiError, errorsFromZodIssues, unprocessable } from './errors';
import { readJson } from './json';
import { LIST_LIMIT_DEFAULT, ListQuery, NewArticleBody, NewCommentBody, UpdateArticleBody } from './schemas';
import { articleJson, articleListItemJson, commentJson } from './serialize';

export function articleApiRoutes(deps: AppDeps) {
  const { db } = deps;
  const app = new Hono();
  const viewerId = (c: Context) => c.get('user')?.id ?? null;
  const caller = (c: Context) => callerOf(c, 'api');
  const slug = (c: Context) => c.req.param('slug') ?? '';
  const base = deps.env.PUBLIC_URL;
  const listItem = (article: Parameters<typeof articleListItemJson>[0]) => articleListItemJson(article, base);
  /** a cover that is not one of this site's images: RealWorld's 422 on the field */
  const coverRefused = (error: unknown) => {
    if (error instanceof CoverRefused) return unprocessable({ coverImage: [COVER_NOT_OURS] });
    return error;
  };

  const list = async (c: Context, filter: ArticleFilter) => {
    const query = ListQuery.safeParse(c.req.query());
    if (!query.success) throw unprocessable(errorsFromZodIssues(query.error));
    const options = {
      filter: { ...filter, tag: query.data.tag, author: query.data.author, favoritedBy: query.data.favorited },
      viewerId: viewerId(c),
      limit: query.data.limit ?? LIST_LIMIT_DEFAULT,
      offset: query.data.offset ?? 0,
    };
    // ?q= (a Quire extension) searches within the same filters, best matches first
    if (query.data.q !== undefined) {
      const { results, total } = await searchArticles(db, { ...options, query: query.data.q });
      return c.json({ articles: results.map(listItem), articlesCount: total });
    }
    const { articles, total } = await listArticles(deps, options);
    return c.json({ articles: articles.map(listItem), articlesCount: total });
  };

  // registered before /articles/:slug so "feed" is never taken for a slug
  app.get('/articles/feed', requireApiUser(), (c) => list(c, { feedOf: apiUser(c).id }));
  app.get('/articles', (c) => list(c, {}));

  // someone else's draft does not exist for API clients either
  // RealWorld's address of an article is its slug now: a former one is not found here (the pages'
  // old addresses answer 301, src/articles/routes.tsx), so RealWorld clients see what they expect
  app.get('/articles/:slug', async (c) => c.json(articleJson(await findArticleToRead(deps, caller(c), slug(c)), base)));

  app.post('/articles', requireApiUser(), async (c) => {
    const { article: input } = await readJson(c, NewArticleBody);
    // RealWorld has no drafts: what is posted is published
    const article = await createArticle(deps, caller(c), { article: { ...input, tagList: input.tagList ?? [] }, publish: true }).catch((error: unknown) => {
      throw coverRefused(error);
    });
    return c.json(articleJson(article, base), 201);
  });

  app.put('/articles/:slug', requireApiUser(), async (c) => {
    // 404 or 403 before the body is read, whatever it says
    await findArticleToEdit(deps, caller(c), slug(c));
    const { article: changes } = await readJson(c, UpdateArticleBody);
    // RealWorld's PUT changes fields only: a draft stays a draft
    const { article } = await updateArticle(deps, caller(c), { slug: slug(c), changes, publish: false }).catch((error: unknown) => {
      throw coverRefused(error);
    });
    return c.json(articleJson(article, base));
  });

  app.delete('/articles/:slug', requireApiUser(), async (c) => {
    await deleteArticle(deps, caller(c), { slug: slug(c) });
    return c.body(null, 204);
  });

  app.post('/articles/:slug/favorite', requireApiUser(), async (c) =>
    c.json(articleJson(await favoriteArticle(deps, caller(c), { slug: slug(c) }), base)),
  );

  app.delete('/articles/:slug/favorite', requireApiUser(), async (c) =>
    c.json(articleJson(await unfavoriteArticle(deps, caller(c), { slug: slug(c) }), base)),
  );

  app.get('/articles/:slug/comments', async (c) => {
    const article = await findArticleToComment(deps, caller(c), slug(c));
    showsComments(c, { articleId: article.id });
    return c.json({ comments: (await listCommentsForArticle(db, article.id, viewerOf(caller(c)))).map(commentJson) });
  });

  app.post('/articles/:slug/comments', requireApiUser(), async (c) => {
    // a 404 before the body is read, whatever it says
    await findArticleToComment(deps, caller(c), slug(c));
    const { comment: input } = await readJson(c, NewCommentBody);
    let comment: Awaited<ReturnType<typeof addComment>>;
    try {
      comment = await addComment(deps, caller(c), { slug: slug(c), body: input.body });
    } catch (error) {
      if (error instanceof CommentsOff) throw new ApiError(403, { comments: ['are turned off on this site'] });
      throw error;
    }
    return c.json({ comment: commentJson(comment) }, 201);
  });

  app.delete('/articles/:slug/comments/:id', requireApiUser(), async (c) => {
    await deleteComment(deps, caller(c), { slug: slug(c), commentId: c.req.param('id') });
    return c.body(null, 204);
  });

  app.get('/tags', async (c) => c.json({ tags: (await deps.reads.tagsInUse()) }));

  return app;
}
