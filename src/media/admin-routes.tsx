/**
 * A moderator's doors to removing an image everywhere (src/media/remove.ts): /admin/media lists
 * recent uploads and where each is shown; Remove leads to a page asking why, whose form removes
 * it; DELETE /api/admin/media/:key does the same over the API. Forms work with JavaScript off.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AdminMediaPage, Thumbnail, Uses, removeImagePath } from '../../views/pages/admin/media-page';
import { Quoted } from '../../views/components/typography';
import { ReasonFormPage } from '../../views/pages/moderation-pages';
import type { AppDeps } from '../app-types';
import { allowedSections, requireAdminPermission } from '../admin/guard';
import { requireApiUser } from '../api/auth';
import { ApiError } from '../api/errors';
import { readJson } from '../api/json';
import { requireUser } from '../auth/middleware';
import { NotFound, type Outcome } from '../core';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, field, readForm, type FormErrors } from '../lib/form';
import { parsePage } from '../lib/pagination';
import { findUpload, listUploads, MEDIA_PAGE_SIZE } from './admin-queries';
import { IMAGE_REMOVED_TEXT, NO_SUCH_IMAGE, removeImage, type RemovedImage } from './remove';

const KEY = /^[0-9a-f]{20}$/;
const SLUG = /^[^/]{1,300}$/;

/** What the flash says a removal did. */
export function removedMessage(removed: RemovedImage): string {
  const places = [
    removed.articles > 0 && `${removed.articles} article${removed.articles === 1 ? '' : 's'}`,
    removed.covers > 0 && `${removed.covers} cover${removed.covers === 1 ? '' : 's'}`,
    removed.avatars > 0 && `${removed.avatars} avatar${removed.avatars === 1 ? '' : 's'}`,
    removed.pages > 0 && `${removed.pages} page${removed.pages === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return `Image removed${places.length > 0 ? ` from ${places.join(', ')}` : ''}.`;
}

export function mediaAdminRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/admin/media', requireAdminPermission('media:remove'), async (c) => {
    const page = parsePage(c);
    const typed = c.req.query('article');
    const article = typed !== undefined && SLUG.test(typed) ? typed : undefined;
    const { uploads, total } = await listUploads(deps.db, { page, ...(article !== undefined && { article }) });
    const pages = Math.max(1, Math.ceil(total / MEDIA_PAGE_SIZE));
    if (page > pages) return c.notFound();
    return c.render(<AdminMediaPage allowed={allowedSections(c)} uploads={uploads} page={page} pages={pages} article={article} />, { title: 'Images' });
  });

  const removePage = async (c: Context, values?: { reason: string; errors: FormErrors }) => {
    const key = c.req.param('key') ?? '';
    const upload = KEY.test(key) ? await findUpload(deps.db, key) : null;
    if (!upload) throw new NotFound('image', NO_SUCH_IMAGE);
    return c.render(
      <ReasonFormPage
        heading="Remove this image everywhere?"
        action={removeImagePath(key)}
        label="Reason (kept in the audit log)"
        button="Remove image"
        cancel="/admin/media"
        value={values?.reason}
        errors={values?.errors}
      >
        <p>
          <Thumbnail upload={upload} />
        </p>
        <p>
          Uploaded by {upload.owner ?? 'a deleted account'}. Articles and pages that show it will say <Quoted>{IMAGE_REMOVED_TEXT}</Quoted> instead;
          covers and avatars that are this image will be none. It cannot be uploaded again. This cannot be undone.
        </p>
        <Uses uses={upload.uses} />
      </ReasonFormPage>,
      { title: 'Remove image' },
    );
  };

  app.get('/admin/media/:key/remove', requireAdminPermission('media:remove'), (c) => removePage(c));

  app.post('/admin/media/:key/remove', requireUser(), async (c) => {
    const form = await readForm(c);
    const reason = field(form, 'reason');
    const outcome: Outcome<RemovedImage> = await removeImage(deps, callerOf(c, 'web'), { key: c.req.param('key'), reason });
    if (!outcome.ok) {
      c.status(422);
      return removePage(c, { reason, errors: errorsFromFields(outcome.errors, { reason: 'Reason' }) });
    }
    setFlash(c, removedMessage(outcome.value));
    return c.redirect('/admin/media', 303);
  });

  return app;
}

const RemoveBody = z.object({ reason: z.unknown().optional() }).optional();

/** DELETE /api/admin/media/:key, body `{ "reason": "..." }` (or `?reason=`). */
export function mediaAdminApiRoutes(deps: AppDeps) {
  const app = new Hono();
  app.delete('/admin/media/:key', requireApiUser(), async (c) => {
    const body = await readJson(c, RemoveBody);
    const reason = body?.reason ?? c.req.query('reason') ?? '';
    const outcome = await removeImage(deps, callerOf(c, 'api'), { key: c.req.param('key'), reason });
    if (!outcome.ok) throw new ApiError(422, outcome.errors);
    const { key, articles, covers, avatars, pages } = outcome.value;
    return c.json({ image: { key, removed: true, articles, covers, avatars, pages } });
  });
  return app;
}
