import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ArticlePreview, previewKey } from '../../views/components/article-preview';
import { ArticlePage, NO_ACTIONS, type ArticleActions } from '../../views/pages/article-page';
import { EditorPage, type EditorValues } from '../../views/pages/editor-page';
import { HomePage, TagSidebar, type HomeTab } from '../../views/pages/home-page';
import type { AppDeps } from '../app-types';
import { redirectToLogin, requireUser } from '../auth/middleware';
import { listCommentsForArticle } from '../comments/queries';
import { backTo } from '../lib/back';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, errorsFromZod, field, fieldList, formError, readForm, refusalFormErrors, type FormErrors } from '../lib/form';
import { assertPageExists, PAGE_SIZE, pageCount, parsePage } from '../lib/pagination';
import { showsComments } from '../cache';
import { herePath } from '../lib/render';
import { articlePath, editorPath, FOLLOWING_FEED_PATH, tagPath } from '../paths';
import { currentSite } from '../site/settings';
import { articleMeta, listMeta } from '../seo/meta';
import { can } from '../roles/permissions';
import { canDeleteArticle, canDeleteComment } from './policy';
import { viewerOf } from './visibility';
import { listArticles, type ArticleDetail, type ArticleFilter, type ArticleSummary } from './queries';
import { ArticleFormSchema, FIELD_LABELS, normaliseTags, TagListSchema } from './schemas';
import { CoverRefused } from './cover';
import { uploadImage } from '../media/use-cases';
import { uploadedFile } from '../media/routes';
import { imageMarkdown, insertAt } from '../media/picture';
import { TooManyRequests } from '../security/limits';

/** Where the editor's script sends a dropped or pasted image (JSON answers). */
export const EDITOR_UPLOADS_PATH = '/editor/uploads';
import {
  createArticle,
  deleteArticle,
  favoriteArticle,
  findArticleOrItsAddress,
  findArticleToEdit,
  findArticleToRead,
  unfavoriteArticle,
  updateArticle,
} from './use-cases';

/** The article at this address, or a 404 page (also for someone else's draft). */
export async function requireArticle(c: Context, deps: AppDeps): Promise<ArticleDetail> {
  return await findArticleToRead(deps, callerOf(c, 'web'), c.req.param('slug') ?? '');
}

/** The article page; also re-rendered by a failed comment form with what was typed. */
export async function showArticlePage(
  c: Context,
  deps: AppDeps,
  article: ArticleDetail,
  comment?: { value: string; errors: FormErrors },
) {
  const viewer = c.get('user');
  const caller = callerOf(c, 'web');
  const comments = await listCommentsForArticle(deps.db, article.id, viewerOf(caller));
  showsComments(c, { articleId: article.id });
  const here = articlePath(article.slug);
  const actions: ArticleActions = viewer
    ? {
        deleteArticle: canDeleteArticle(caller, article),
        moderate: can(caller, 'article:hide:any'),
        report: viewer.id !== article.author.id,
        deleteComment: (comment) => canDeleteComment(caller, comment, article),
      }
    : NO_ACTIONS;
  return c.render(
    <ArticlePage
      actions={actions}
      article={article}
      html={article.bodyHtml}
      comments={comments}
      viewer={viewer}
      here={here}
      commentValue={comment?.value}
      commentErrors={comment?.errors}
      commentsOff={!(await deps.reads.site()).settings.comments}
    />,
    { title: article.title, meta: articleMeta(await currentSite(deps), article) },
  );
}

async function showList(c: Context, deps: AppDeps, tab: HomeTab, filter: ArticleFilter) {
  const page = parsePage(c);
  const viewer = c.get('user');
  const { articles, total } = await listArticles(deps, {
    filter,
    viewerId: viewer?.id ?? null,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  assertPageExists(page, total);
  const base = tab.kind === 'tag' ? `${tagPath(tab.tag)}?` : tab.kind === 'feed' ? `${FOLLOWING_FEED_PATH}&` : '/?';
  const tags = (await deps.reads.tagsInUse());
  // the same sidebar on every list page for every reader
  // tags hold no line break (normaliseTags folds white space), so the joined list is the key
  const sidebar = deps.fragment(`sidebar\n${tags.join('\n')}`, () => <TagSidebar tags={tags} />);
  const site = await currentSite(deps);
  const here = herePath(c);
  // a preview shows only its article, whether the viewer favorited it, and this page's address
  const preview = (article: ArticleSummary) => {
    const first = article === articles[0];
    return deps.fragment(previewKey(article, here, first), () => <ArticlePreview article={article} here={here} first={first} />);
  };
  return c.render(
    <HomePage
      fragment={deps.fragment}
      siteName={site.title}
      siteDescription={site.description}
      viewer={viewer}
      tab={tab}
      articles={articles}
      pages={{ current: page, total: pageCount(total), href: (n) => `${base}page=${n}` }}
      sidebar={sidebar}
      here={here}
      preview={preview}
    />,
    {
      title: tab.kind === 'tag' ? `# ${tab.tag}` : tab.kind === 'feed' ? 'Your Feed' : '',
      meta: listMeta(site, tab.kind === 'tag' ? { ...tab, inUse: tags.includes(tab.tag) } : tab, page),
    },
  );
}

function editorValues(form: Awaited<ReturnType<typeof readForm>>): EditorValues {
  return {
    title: field(form, 'title'),
    description: field(form, 'description'),
    body: field(form, 'body'),
    tagList: normaliseTags(fieldList(form, 'tagList')),
    tag: field(form, 'tag'),
    coverImage: field(form, 'coverImage'),
    alt: field(form, 'alt'),
    cursor: field(form, 'cursor'),
  };
}

/** The editor's values of an article being edited: what it has, nothing typed yet. */
const storedValues = (article: ArticleDetail): EditorValues => ({ ...article, tag: '', coverImage: article.coverImage ?? '' });

const EMPTY_EDITOR: EditorValues = { title: '', description: '', body: '', tagList: [], tag: '', coverImage: '' };

/**
 * "Upload image" and "Upload cover" without JavaScript: the file is uploaded (src/media/use-cases.ts)
 * and the editor comes back, not saved, with everything typed kept and the image's Markdown in the
 * body (at the cursor static/editor.js kept in `cursor`, else at the end) or the cover chosen. A
 * refused file comes back with its message beside the file field.
 */
async function uploadFromEditor(c: Context, deps: AppDeps, values: EditorValues, op: 'upload' | 'cover'): Promise<FormErrors | null> {
  const fileField = op === 'upload' ? 'image' : 'coverFile';
  const bytes = await uploadedFile(await c.req.parseBody(), fileField);
  if (!bytes) {
    c.status(422);
    return formError(fileField, 'Choose an image file to upload');
  }
  // alt text is needed, not guessed from a file name ("IMG_2041.jpg" tells a listener nothing)
  if (op === 'upload' && values.alt?.trim() === '') {
    c.status(422);
    return formError('alt', ALT_TEXT_NEEDED);
  }
  const outcome = await uploadImage(deps, callerOf(c, 'web'), { bytes, purpose: 'image' });
  if (!outcome.ok) {
    c.status(outcome.status);
    return errorsFromFields({ [fileField]: outcome.errors.file ?? [] }, { image: 'Image', coverFile: 'Cover' });
  }
  if (op === 'cover') {
    values.coverImage = outcome.value.url;
    return null;
  }
  const body = values.body.replace(/\r\n?/g, '\n');
  const cursor = /^\d{1,7}$/.test(values.cursor ?? '') ? Number(values.cursor) : null;
  const inserted = insertAt(body, imageMarkdown(values.alt ?? '', outcome.value.url), cursor);
  values.body = inserted.body;
  values.cursor = String(inserted.cursor);
  values.alt = '';
  return null;
}

export const ALT_TEXT_NEEDED = 'Alt text is needed: say what the image shows, for readers who cannot see it';

/**
 * The editor form's three operations. Without JavaScript, Enter and the pills' × buttons come here
 * as "addtag" and "rm:TAG" and re-render the form; only "publish" saves.
 */
async function handleEditorPost(c: Context, deps: AppDeps, existing: ArticleDetail | null) {
  const form = await readForm(c);
  const values = editorValues(form);
  const op = field(form, 'op');
  const action = existing ? editorPath(existing.slug) : '/editor';
  const title = existing ? 'Edit article' : 'New article';
  const canSaveDraft = existing === null || existing.publishedAt === null;
  const render = (errors?: FormErrors) =>
    c.render(<EditorPage action={action} values={values} errors={errors} canSaveDraft={canSaveDraft} />, { title });

  if (op === 'upload' || op === 'cover') {
    try {
      return render((await uploadFromEditor(c, deps, values, op)) ?? undefined);
    } catch (error) {
      return render(refusalFormErrors(c, error));
    }
  }

  if (op === 'addtag' || op.startsWith('rm:')) {
    values.tagList =
      op === 'addtag'
        ? normaliseTags([...values.tagList, ...values.tag.split(',')])
        : values.tagList.filter((tag) => tag !== op.slice(3));
    if (op === 'addtag') values.tag = '';
    const tags = TagListSchema.safeParse(values.tagList);
    if (!tags.success) {
      c.status(422);
      return render(errorsFromZod(tags.error, FIELD_LABELS));
    }
    return render();
  }

  // a tag typed but not yet added still counts when publishing
  const parsed = ArticleFormSchema.safeParse({ ...values, tagList: [...values.tagList, ...values.tag.split(',')] });
  const coverImage = values.coverImage === '' ? null : (values.coverImage ?? null);
  if (!parsed.success) {
    c.status(422);
    return render(errorsFromZod(parsed.error, FIELD_LABELS));
  }
  const caller = callerOf(c, 'web');
  // "Save draft" keeps it to the author; "Publish Article" publishes (a draft's date is then)
  const publish = !(op === 'draft' && canSaveDraft);
  try {
    if (existing) {
      const { article, published } = await updateArticle(deps, caller, { slug: existing.slug, changes: { ...parsed.data, coverImage }, publish });
      setFlash(c, article.publishedAt === null ? 'Draft saved.' : published ? 'Article published.' : 'Article updated.');
      return c.redirect(articlePath(article.slug), 303);
    }
    const article = await createArticle(deps, caller, { article: { ...parsed.data, coverImage }, publish });
    setFlash(c, article.publishedAt === null ? 'Draft saved.' : 'Article published.');
    return c.redirect(articlePath(article.slug), 303);
  } catch (error) {
    if (error instanceof CoverRefused) {
      c.status(422);
      return render(formError('coverImage', error.message));
    }
    // a rate limit: the editor again, with everything written still in it
    return render(refusalFormErrors(c, error));
  }
}

/**
 * The article the signed-in user may edit, or 404 / 403: read before the form, which a failed
 * save shows again on the article's own editor.
 */
async function requireOwnArticle(c: Context, deps: AppDeps): Promise<ArticleDetail> {
  return await findArticleToEdit(deps, callerOf(c, 'web'), c.req.param('slug') ?? '');
}

export function articleRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/', async (c) => {
    const feed = c.req.query('feed');
    if (feed === undefined) return await showList(c, deps, { kind: 'global' }, {});
    if (feed !== 'following') throw new HTTPException(400, { message: 'Unknown feed: only ?feed=following exists.' });
    const user = c.get('user');
    if (!user) return redirectToLogin(c);
    return await showList(c, deps, { kind: 'feed' }, { feedOf: user.id });
  });

  app.get('/tag/:tag', async (c) => {
    const tag = c.req.param('tag');
    return await showList(c, deps, { kind: 'tag', tag }, { tag });
  });

  app.get('/article/:slug', async (c) => {
    const found = await findArticleOrItsAddress(deps, callerOf(c, 'web'), c.req.param('slug'));
    // a renamed article's old address leads to its new one, forever
    if ('movedTo' in found) return c.redirect(articlePath(found.movedTo), 301);
    return await showArticlePage(c, deps, found.article);
  });

  app.get('/editor', requireUser(), (c) =>
    c.render(
      <EditorPage action="/editor" values={EMPTY_EDITOR} />,
      { title: 'New article' },
    ),
  );
  app.post('/editor', requireUser(), (c) => handleEditorPost(c, deps, null));
  // static/editor.js's drop and paste: the same use case, answered in JSON for fetch (a page
  // route: the session cookie and the same-origin check, not a token)
  app.post(EDITOR_UPLOADS_PATH, requireUser(), async (c) => {
    // a body that is not well-formed multipart: 400 with a message (readForm), never a 500
    await readForm(c);
    const bytes = await uploadedFile(await c.req.parseBody(), 'file');
    if (!bytes) return c.json({ errors: { file: ['Choose an image file to upload'] } }, 422);
    try {
      const outcome = await uploadImage(deps, callerOf(c, 'web'), { bytes, purpose: 'image' });
      if (!outcome.ok) return c.json({ errors: outcome.errors }, outcome.status);
      const { url, width, height } = outcome.value;
      return c.json({ upload: { url, width, height } }, 201);
    } catch (error) {
      if (error instanceof TooManyRequests) {
        c.header('Retry-After', String(error.retryAfterSeconds));
        return c.json({ errors: { file: [error.message] } }, 429);
      }
      throw error;
    }
  });

  app.get('/editor/:slug', requireUser(), async (c) => {
    const article = await requireOwnArticle(c, deps);
    return c.render(
      <EditorPage action={editorPath(article.slug)} values={storedValues(article)} canSaveDraft={article.publishedAt === null} />,
      { title: 'Edit article' },
    );
  });
  app.post('/editor/:slug', requireUser(), async (c) => handleEditorPost(c, deps, await requireOwnArticle(c, deps)));

  app.post('/article/:slug/delete', requireUser(), async (c) => {
    await deleteArticle(deps, callerOf(c, 'web'), { slug: c.req.param('slug') });
    setFlash(c, 'Article deleted.');
    return c.redirect('/', 303);
  });

  app.post('/article/:slug/favorite', requireUser(), async (c) => {
    const article = await favoriteArticle(deps, callerOf(c, 'web'), { slug: c.req.param('slug') });
    return c.redirect(backTo(await readForm(c), articlePath(article.slug)), 303);
  });

  app.post('/article/:slug/unfavorite', requireUser(), async (c) => {
    const article = await unfavoriteArticle(deps, callerOf(c, 'web'), { slug: c.req.param('slug') });
    return c.redirect(backTo(await readForm(c), articlePath(article.slug)), 303);
  });

  return app;
}
