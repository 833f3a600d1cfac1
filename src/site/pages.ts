/**
 * Pages the owner and admins write in Markdown (About, Terms, Privacy...), each served at its own
 * address (/SLUG: the catch-all route, registered after every other) and linked from the navbar or
 * the footer as chosen. Bodies are rendered by the articles' renderer, off the serving thread, and
 * kept as HTML. Writes to site_pages move the content version by trigger: cached pages follow.
 */
import { recordMediaUses } from '../media/uses';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { fail, NotFound, succeed, type Caller, type Core, type FieldErrors, type Outcome } from '../core';
import type { Db } from '../db/client';
import { tablesOf, violatesUniqueIndex } from '../db/engine';
import { idle, transaction } from '../db/transaction';
import { recordAudit } from '../audit/log';
import { BLANK, TAKEN, tooLong } from '../lib/messages';
import { runOffThread } from '../lib/offthread';
import { TextSchema } from '../lib/text';
import { requirePermission } from '../roles/permissions';
import { readSiteSettings, SEEDED_ABOUT_KEY, type SettingsDefaults } from './settings';

export const PAGE_PLACEMENTS = ['nav', 'footer', 'none'] as const;
export type PagePlacement = (typeof PAGE_PLACEMENTS)[number];
export const PAGE_TITLE_MAX_LENGTH = 100;
export const PAGE_SLUG_MAX_LENGTH = 60;
export const PAGE_BODY_MAX_LENGTH = 100_000;
export const PAGE_POSITION_MAX = 1000;

/**
 * Every first segment of an address the app routes (src/app.tsx and each feature's routes), and a
 * few kept for what may come: a page there would never be reached, or would hide a feature.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'api', 'article', 'articles', 'confirm', 'default-avatar', 'docs', 'editor', 'favicon',
  'feed', 'healthz', 'home', 'index', 'invitations', 'invite', 'login', 'logout', 'moderation', 'new', 'notifications',
  'pages', 'password-strength', 'profile', 'profiles', 'register', 'report', 'reports', 'robots',
  'search', 'settings', 'static', 'tag', 'tags', 'unsubscribe', 'user', 'users',
]);

export const isReservedSlug = (slug: string) => RESERVED_SLUGS.has(slug) || slug.startsWith('sitemap');

export const PageSlugSchema = TextSchema({ error: BLANK })
  .trim()
  .min(1, BLANK)
  .max(PAGE_SLUG_MAX_LENGTH, tooLong(PAGE_SLUG_MAX_LENGTH))
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'can only contain lowercase letters, digits and single hyphens between them')
  .refine((slug) => !isReservedSlug(slug), 'is an address the site already uses: choose another');

export const PageInputSchema = z.object({
  title: TextSchema({ error: BLANK }).trim().min(1, BLANK).max(PAGE_TITLE_MAX_LENGTH, tooLong(PAGE_TITLE_MAX_LENGTH)),
  slug: PageSlugSchema,
  body: TextSchema({ error: BLANK }).trim().min(1, BLANK).max(PAGE_BODY_MAX_LENGTH, tooLong(PAGE_BODY_MAX_LENGTH)),
  placement: z.enum(PAGE_PLACEMENTS, { error: 'must be nav, footer or none' }),
  position: z
    .number({ error: `must be a whole number from 0 to ${PAGE_POSITION_MAX}` })
    .int(`must be a whole number from 0 to ${PAGE_POSITION_MAX}`)
    .min(0, `must be a whole number from 0 to ${PAGE_POSITION_MAX}`)
    .max(PAGE_POSITION_MAX, `must be a whole number from 0 to ${PAGE_POSITION_MAX}`),
});
export type PageInput = z.infer<typeof PageInputSchema>;

export const PAGE_FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  slug: 'Address',
  body: 'Text',
  placement: 'Shown in',
  position: 'Position',
};

export type SitePage = {
  id: number;
  slug: string;
  title: string;
  body: string;
  bodyHtml: string;
  placement: PagePlacement;
  position: number;
  createdAt: Date;
  updatedAt: Date;
};

const asPage = (row: typeof import('../db/schema').sitePages.$inferSelect): SitePage => ({
  ...row,
  placement: (PAGE_PLACEMENTS as readonly string[]).includes(row.placement) ? (row.placement as PagePlacement) : 'none',
});

/** Every page, in the order the admin list and the links show them. */
export async function listPages(db: Db): Promise<SitePage[]> {
  await idle(db);
  const { sitePages } = tablesOf(db);
  const rows = await db.select().from(sitePages).orderBy(asc(sitePages.placement), asc(sitePages.position), asc(sitePages.id));
  return rows.map(asPage);
}

export async function findPageBySlug(db: Db, slug: string): Promise<SitePage | null> {
  await idle(db);
  const { sitePages } = tablesOf(db);
  const [row] = await db.select().from(sitePages).where(eq(sitePages.slug, slug)).limit(1);
  return row ? asPage(row) : null;
}

const PAGE_ID = /^[1-9][0-9]{0,9}$/;

export async function findPageById(db: Db, id: string | number): Promise<SitePage | null> {
  if (!PAGE_ID.test(String(id))) return null;
  await idle(db);
  const { sitePages } = tablesOf(db);
  const [row] = await db.select().from(sitePages).where(eq(sitePages.id, Number(id))).limit(1);
  return row ? asPage(row) : null;
}

export const NO_SUCH_PAGE = 'There is no page at this address.';

async function requirePage(db: Db, id: string | number): Promise<SitePage> {
  const page = await findPageById(db, id);
  if (!page) throw new NotFound('page', NO_SUCH_PAGE);
  return page;
}

function validPage(input: unknown): Outcome<PageInput> {
  const parsed = PageInputSchema.safeParse(input);
  if (parsed.success) return succeed(parsed.data);
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? 'page');
    (errors[key] ??= []).includes(issue.message) || errors[key]!.push(issue.message);
  }
  return fail(errors);
}

/** A slug another page holds, as a field error; the unique index settles a race the same way. */
async function withSlugTaken<T>(work: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await work();
  } catch (error) {
    if (violatesUniqueIndex(error, 'site_pages_slug_unique')) return fail({ slug: [TAKEN] });
    throw error;
  }
}

/** The owner or an admin (page:edit) writes a new page. */
export async function createPage(core: Core, caller: Caller, input: unknown): Promise<Outcome<SitePage>> {
  requirePermission(caller, 'page:edit');
  const valid = validPage(input);
  if (!valid.ok) return valid;
  const page = valid.value;
  // rendered in the worker thread, before the transaction
  const { bodyHtml } = await runOffThread({ kind: 'renderBody', body: page.body, siteUrl: core.env.PUBLIC_URL });
  return withSlugTaken(() =>
    transaction(core.db, async (tx) => {
      if (await findPageBySlug(tx, page.slug)) return fail({ slug: [TAKEN] });
      const now = new Date(core.clock());
      const { sitePages } = tablesOf(tx);
      const [row] = await tx.insert(sitePages).values({ ...page, bodyHtml, createdAt: now, updatedAt: now }).returning();
      await recordMediaUses(tx, { pageId: row!.id }, page.body);
      const created = asPage(row!);
      await recordAudit(tx, caller, { action: 'page.create', target: { kind: 'page', id: created.id, label: `/${created.slug}` }, details: { title: created.title, placement: created.placement } }, now.getTime());
      return succeed(created);
    }),
  );
}

/** The owner or an admin changes a page (every field; its address too). */
export async function updatePage(core: Core, caller: Caller, input: { id: string | number; page: unknown }): Promise<Outcome<SitePage>> {
  requirePermission(caller, 'page:edit');
  await requirePage(core.db, input.id);
  const valid = validPage(input.page);
  if (!valid.ok) return valid;
  const page = valid.value;
  const { bodyHtml } = await runOffThread({ kind: 'renderBody', body: page.body, siteUrl: core.env.PUBLIC_URL });
  return withSlugTaken(() =>
    transaction(core.db, async (tx) => {
      const before = await requirePage(tx, input.id);
      const holder = await findPageBySlug(tx, page.slug);
      if (holder && holder.id !== before.id) return fail({ slug: [TAKEN] });
      const now = new Date(core.clock());
      const { sitePages } = tablesOf(tx);
      const [row] = await tx.update(sitePages).set({ ...page, bodyHtml, updatedAt: now }).where(eq(sitePages.id, before.id)).returning();
      await recordMediaUses(tx, { pageId: before.id }, page.body);
      const updated = asPage(row!);
      const changed = (['title', 'slug', 'body', 'placement', 'position'] as const).filter((key) => before[key] !== updated[key]);
      const details: Record<string, unknown> = { changed };
      if (before.slug !== updated.slug) details.slug = { old: before.slug, new: updated.slug };
      if (before.title !== updated.title) details.title = { old: before.title, new: updated.title };
      if (before.placement !== updated.placement) details.placement = { old: before.placement, new: updated.placement };
      await recordAudit(tx, caller, { action: 'page.update', target: { kind: 'page', id: updated.id, label: `/${updated.slug}` }, details }, now.getTime());
      return succeed(updated);
    }),
  );
}

/** The owner or an admin deletes a page; its address then answers 404. */
export async function deletePage(core: Core, caller: Caller, input: { id: string | number }): Promise<SitePage> {
  requirePermission(caller, 'page:edit');
  return transaction(core.db, async (tx) => {
    const page = await requirePage(tx, input.id);
    const { sitePages } = tablesOf(tx);
    await tx.delete(sitePages).where(eq(sitePages.id, page.id));
    await recordAudit(tx, caller, { action: 'page.delete', target: { kind: 'page', id: page.id, label: `/${page.slug}` }, details: { title: page.title } }, core.clock());
    return page;
  });
}

/** /about's text as Quire wrote it before pages could be edited, with the site's name and description now. */
export function aboutMarkdown(site: { title: string; description: string }): string {
  return [
    site.description,
    '',
    `${site.title} is a blog for many authors, run with Quire: a small self-hosted blogging platform. Anyone can sign up, write articles in Markdown with tags, comment, favorite articles and follow the authors they like.`,
    '',
    'Every page works without JavaScript. Programs can read and write the same data through the JSON API under /api.',
    '',
  ].join('\n');
}

/**
 * Seeds /about once in a site's life, at start-up: a page an admin may then edit or delete (a
 * deleted one is not seeded again). The mark (site_settings `seeded.about`) and the page are
 * written in one transaction, each INSERT ... ON CONFLICT DO NOTHING: nodes starting together
 * seed it once, and a page someone already wrote at /about is left alone.
 */
export async function seedAboutPage(core: Pick<Core, 'db' | 'clock'> & { env: SettingsDefaults }): Promise<boolean> {
  const { db, clock, env } = core;
  const { siteSettings } = tablesOf(db);
  await idle(db);
  const [marked] = await db.select({ key: siteSettings.key }).from(siteSettings).where(eq(siteSettings.key, SEEDED_ABOUT_KEY)).limit(1);
  if (marked) return false;
  // the site's title and description now: the environment's, unless already changed in the settings
  const body = aboutMarkdown(await readSiteSettings(db, env));
  const { bodyHtml } = await runOffThread({ kind: 'renderBody', body });
  return transaction(db, async (tx) => {
    const now = new Date(clock());
    const t = tablesOf(tx);
    const mark = await tx
      .insert(t.siteSettings)
      .values({ key: SEEDED_ABOUT_KEY, value: 'true', updatedAt: now })
      .onConflictDoNothing({ target: t.siteSettings.key })
      .returning({ key: t.siteSettings.key });
    if (mark.length === 0) return false;
    await tx
      .insert(t.sitePages)
      .values({ slug: 'about', title: 'About', body, bodyHtml, placement: 'footer', position: 0, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: t.sitePages.slug });
    return true;
  });
}
