/**
 * The media doors: GET /media/NAME serves a stored image; POST /api/uploads takes one
 * (`multipart/form-data`, field `file`, token auth) and answers
 * `{ "upload": { "url", "width", "height", "type", "bytes" } }`. The editor's and the settings'
 * upload buttons post to their own pages' routes and call the same use case.
 */
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../app-types';
import type { Env } from '../env';
import { callerOf } from '../lib/caller';
import { limitBody } from '../lib/body-limit';
import { apiErrorResponse } from '../api/errors';
import { requireApiUser } from '../api/auth';
import { formatBytes, parseFileName } from './names';
import { contentTypeOfName } from './store';
import { uploadImage, type UploadedImage } from './use-cases';

/** A name holds its content's hash: it never changes, so it is cached for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The largest request carrying an upload: the image, and the rest of the form around it (an article's fields). */
export const uploadBodyLimit = (env: Pick<Env, 'MEDIA_MAX_BYTES'>) => env.MEDIA_MAX_BYTES + 1024 * 1024;

/** The bytes of the form's `field`, or null when no file was chosen. The name and declared type are ignored. */
export async function uploadedFile(body: Record<string, unknown>, field: string): Promise<Buffer | null> {
  const value = body[field];
  if (!(value instanceof File) || value.size === 0) return null;
  return Buffer.from(await value.arrayBuffer());
}

/** An upload as the API answers it: the address absolute, as every address the API gives. */
export function uploadJson(upload: UploadedImage, publicUrl: string) {
  return { upload: { url: `${publicUrl}${upload.url}`, width: upload.width, height: upload.height, type: upload.type, bytes: upload.bytes } };
}

/** GET /media/NAME: only names Quire makes, with the type it wrote; nothing a user chose reaches the store. */
export function mediaRoutes(deps: Pick<AppDeps, 'media'>) {
  const app = new Hono();
  app.get('/media/:name', async (c) => {
    const name = c.req.param('name');
    if (parseFileName(name) === null) return c.notFound();
    if (c.req.header('if-none-match') === `"${name}"`) {
      return c.body(null, 304, { ETag: `"${name}"`, 'Cache-Control': IMMUTABLE });
    }
    const file = await deps.media.get(name);
    if (!file) return c.notFound();
    return c.body(new Uint8Array(file.bytes), 200, {
      'Content-Type': contentTypeOfName(name),
      'Content-Length': String(file.bytes.length),
      'Cache-Control': IMMUTABLE,
      'X-Content-Type-Options': 'nosniff',
      // opened on its own, an image can run nothing, whatever it holds
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      // public pictures, shown by API clients and web feed readers on other origins (pages are same-origin)
      'Cross-Origin-Resource-Policy': 'cross-origin',
      // the name never changes content: a revalidation is answered without reading the store
      ETag: `"${name}"`,
    });
  });
  return app;
}

/** POST /api/uploads */
export function mediaApiRoutes(deps: AppDeps) {
  const app = new Hono();
  const tooLarge = (c: Context) =>
    apiErrorResponse(c, 413, { file: [`is too large (the most this site takes is ${formatBytes(deps.env.MEDIA_MAX_BYTES)})`] });
  app.post('/uploads', requireApiUser(), limitBody(uploadBodyLimit(deps.env), tooLarge), async (c) => {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
      return apiErrorResponse(c, 415, { file: ['must be sent as multipart/form-data, in a field named file'] });
    }
    let body: Record<string, unknown>;
    try {
      body = await c.req.parseBody();
    } catch {
      return apiErrorResponse(c, 400, { body: ['could not be read as multipart/form-data'] });
    }
    const bytes = await uploadedFile(body, 'file');
    if (!bytes) return apiErrorResponse(c, 422, { file: ["can't be blank"] });
    const outcome = await uploadImage(deps, callerOf(c, 'api'), { bytes, purpose: body.purpose === 'avatar' ? 'avatar' : 'image' });
    if (!outcome.ok) return apiErrorResponse(c, outcome.status, outcome.errors);
    return c.json(uploadJson(outcome.value, deps.env.PUBLIC_URL), 201);
  });
  return app;
}
