/**
 * The site's settings, kept in the database (site_settings, one row per key, its value JSON) and
 * changed live from /admin/settings, PUT /api/admin/settings or `quire settings set`: all three
 * through changeSiteSettings. A key with no row has its default, from the environment
 * (SITE_TITLE, SITE_DESCRIPTION, REGISTRATION, NEW_ACCOUNT_*_PER_DAY); a stored value that no
 * longer parses (a hand-edited row, a rule made stricter since) falls back to its default too, so
 * no reader ever gets a 500 from a setting.
 *
 * Settings are read on nearly every page: through the shared reads (`reads.site()`), which the
 * app's cache keeps per content version (src/cache/index.ts); writes to site_settings move that
 * version by trigger, so the next request sees a change.
 */
import { asc, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { fail, succeed, type Caller, type Core, type FieldErrors, type Outcome } from '../core';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle, transaction } from '../db/transaction';
import type { Env } from '../env';
import { recordAudit } from '../audit/log';
import { BLANK, tooLong } from '../lib/messages';
import { siteOf, type Site } from '../lib/site';
import { TextSchema } from '../lib/text';
import { can, requirePermission } from '../roles/permissions';

export const ONLY_THE_OWNER_REQUIRES_TWO_FACTOR = 'can be changed by the owner only';

export const REGISTRATION_MODES = ['open', 'invite', 'closed'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export const SITE_TITLE_MAX_LENGTH = 100;
export const SITE_DESCRIPTION_MAX_LENGTH = 300;
export const NAV_LINKS_MAX = 10;
export const NAV_LABEL_MAX_LENGTH = 40;
export const NAV_URL_MAX_LENGTH = 500;
export const NEW_ACCOUNT_LIMIT_MAX = 1000;

/** A link's address: a path on this site ("/tag/news", never "//elsewhere") or an http(s) URL. */
export function isNavUrl(value: string): boolean {
  if (value.startsWith('/')) return !value.startsWith('//') && !value.startsWith('/\\') && !/\s/.test(value);
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const required = (max: number) => TextSchema({ error: BLANK }).trim().min(1, BLANK).max(max, tooLong(max));
const perDay = z
  .number({ error: `must be a whole number from 0 to ${NEW_ACCOUNT_LIMIT_MAX}` })
  .int(`must be a whole number from 0 to ${NEW_ACCOUNT_LIMIT_MAX}`)
  .min(0, `must be a whole number from 0 to ${NEW_ACCOUNT_LIMIT_MAX}`)
  .max(NEW_ACCOUNT_LIMIT_MAX, `must be a whole number from 0 to ${NEW_ACCOUNT_LIMIT_MAX}`);

export const NavLinkSchema = z.object(
  {
    label: required(NAV_LABEL_MAX_LENGTH),
    url: required(NAV_URL_MAX_LENGTH).refine(isNavUrl, 'must be a path on this site (starting with /) or an http(s) URL'),
  },
  { error: 'must be a list of {label, url}' },
);
export type NavLink = z.infer<typeof NavLinkSchema>;

/** Every setting and its rule: one schema for the form, the API, the CLI and what is stored. */
export const SETTINGS_SHAPE = {
  title: required(SITE_TITLE_MAX_LENGTH),
  description: required(SITE_DESCRIPTION_MAX_LENGTH),
  navLinks: z
    .array(NavLinkSchema, { error: 'must be a list of {label, url}' })
    .max(NAV_LINKS_MAX, `can have at most ${NAV_LINKS_MAX} links`),
  registration: z.enum(REGISTRATION_MODES, { error: 'must be open, invite or closed' }),
  comments: z.boolean({ error: 'must be true or false' }),
  newAccountArticlesPerDay: perDay,
  newAccountCommentsPerDay: perDay,
  /** admins and moderators need a second factor for their staff powers (src/two-factor/staff.ts); the owner's alone to change */
  requireStaffTwoFactor: z.boolean({ error: 'must be true or false' }),
  /** whether accounts whose e-mail address is not confirmed yet may publish and comment (src/account-links/) */
  unconfirmedMayWrite: z.boolean({ error: 'must be true or false' }),
};

export const SiteSettingsSchema = z.object(SETTINGS_SHAPE);
export type SiteSettings = z.infer<typeof SiteSettingsSchema>;
export type SettingKey = keyof SiteSettings;
export const SETTING_KEYS = Object.keys(SETTINGS_SHAPE) as SettingKey[];

/** Any subset, checked key by key (an unknown key is refused, not ignored). */
export const SettingsChangesSchema = SiteSettingsSchema.partial().strict();
export type SettingsChanges = Partial<SiteSettings>;

/** How people name the settings: the form's labels, and the CLI's keys (`quire settings set nav-links ...`). */
export const SETTING_LABELS: Record<SettingKey, string> = {
  title: 'Title',
  description: 'Description',
  navLinks: 'Navigation links',
  registration: 'Registration',
  comments: 'Comments',
  newAccountArticlesPerDay: 'Articles a new account may publish on its first day',
  newAccountCommentsPerDay: 'Comments a new account may write on its first day',
  requireStaffTwoFactor: 'Two-factor sign-in for admins and moderators',
  unconfirmedMayWrite: 'Accounts with an unconfirmed e-mail address',
};
export const SETTING_CLI_NAMES: Record<SettingKey, string> = {
  title: 'title',
  description: 'description',
  navLinks: 'nav-links',
  registration: 'registration',
  comments: 'comments',
  newAccountArticlesPerDay: 'new-account-articles-per-day',
  newAccountCommentsPerDay: 'new-account-comments-per-day',
  requireStaffTwoFactor: 'require-staff-two-factor',
  unconfirmedMayWrite: 'unconfirmed-may-write',
};

export type SettingsDefaults = Pick<
  Env,
  'SITE_TITLE' | 'SITE_DESCRIPTION' | 'REGISTRATION' | 'NEW_ACCOUNT_ARTICLES_PER_DAY' | 'NEW_ACCOUNT_COMMENTS_PER_DAY'
>;

/** A new site's settings: the environment's values. */
export function defaultSettings(env: SettingsDefaults): SiteSettings {
  return {
    title: env.SITE_TITLE,
    description: env.SITE_DESCRIPTION,
    navLinks: [],
    registration: env.REGISTRATION,
    comments: true,
    newAccountArticlesPerDay: env.NEW_ACCOUNT_ARTICLES_PER_DAY,
    newAccountCommentsPerDay: env.NEW_ACCOUNT_COMMENTS_PER_DAY,
    requireStaffTwoFactor: false,
    // nothing changes for existing sites and RealWorld clients until the owner asks for confirmation
    unconfirmedMayWrite: true,
  };
}

/** site_settings keys that are no setting: marks of one-time work (the /about page's seeding). */
export const SEEDED_ABOUT_KEY = 'seeded.about';

/** The settings as stored, each key that is missing or no longer valid at its default. */
export async function readSiteSettings(db: Db, defaults: SettingsDefaults): Promise<SiteSettings> {
  await idle(db);
  const { siteSettings } = tablesOf(db);
  const rows = await db
    .select({ key: siteSettings.key, value: siteSettings.value })
    .from(siteSettings)
    .where(inArray(siteSettings.key, SETTING_KEYS));
  return settingsFromRows(rows, defaults);
}

export function settingsFromRows(rows: Array<{ key: string; value: string }>, defaults: SettingsDefaults): SiteSettings {
  const settings = defaultSettings(defaults);
  for (const { key, value } of rows) {
    if (!(SETTING_KEYS as string[]).includes(key)) continue;
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      continue;
    }
    const parsed = SETTINGS_SHAPE[key as SettingKey].safeParse(json);
    if (parsed.success) (settings as Record<string, unknown>)[key] = parsed.data;
  }
  return settings;
}

/** A link the layout shows: a setting's navigation link, or a page placed in the nav or footer. */
export type SiteLink = { label: string; href: string };

/**
 * What every page shows of the site: the settings, and the links of the navbar (the settings'
 * links, then the pages placed there) and the footer. Read through `reads.site()`.
 */
export type SiteLook = { settings: SiteSettings; nav: SiteLink[]; footer: SiteLink[] };

export async function readSiteLook(db: Db, defaults: SettingsDefaults): Promise<SiteLook> {
  const settings = await readSiteSettings(db, defaults);
  const { sitePages } = tablesOf(db);
  const pages = await db
    .select({ slug: sitePages.slug, title: sitePages.title, placement: sitePages.placement })
    .from(sitePages)
    .where(inArray(sitePages.placement, ['nav', 'footer']))
    .orderBy(asc(sitePages.placement), asc(sitePages.position), asc(sitePages.id));
  const link = (page: { slug: string; title: string }): SiteLink => ({ label: page.title, href: `/${page.slug}` });
  return {
    settings,
    nav: [
      ...settings.navLinks.map((item) => ({ label: item.label, href: item.url })),
      ...pages.filter((page) => page.placement === 'nav').map(link),
    ],
    footer: pages.filter((page) => page.placement === 'footer').map(link),
  };
}

/** The site as machines see it (feeds, sitemap, meta), with the live title and description. */
export function liveSite(env: Env, settings: Pick<SiteSettings, 'title' | 'description'>): Site {
  return { ...siteOf(env), title: settings.title, description: settings.description };
}

/** The live site for a door that has the core: `await currentSite(deps)`. */
export async function currentSite(core: Pick<Core, 'env' | 'reads'>): Promise<Site> {
  return liveSite(core.env, (await core.reads.site()).settings);
}

/**
 * The owner or an admin (settings:edit) changes some settings. Only keys whose value differs are
 * written; each change is one audit entry's `details` (old and new value per key), in the same
 * transaction as the write. Answers the settings as they now are.
 */
export async function changeSiteSettings(
  core: Core,
  caller: Caller,
  input: { changes: SettingsChanges },
): Promise<Outcome<{ settings: SiteSettings; changed: SettingKey[] }>> {
  requirePermission(caller, 'settings:edit');
  const parsed = SettingsChangesSchema.safeParse(input.changes);
  if (!parsed.success) return fail(fieldErrorsOf(parsed.error));
  const changes = parsed.data as SettingsChanges;
  const { db, clock, env } = core;
  return transaction(db, async (tx) => {
    const before = await readSiteSettings(tx, env);
    const changed = SETTING_KEYS.filter(
      (key) => changes[key] !== undefined && JSON.stringify(changes[key]) !== JSON.stringify(before[key]),
    );
    if (changed.length === 0) return succeed({ settings: before, changed });
    // who must have a second factor to act as staff is the owner's to decide, not the staff's
    if (changed.includes('requireStaffTwoFactor') && !can(caller, 'settings:staff-two-factor')) {
      return fail({ requireStaffTwoFactor: [ONLY_THE_OWNER_REQUIRES_TWO_FACTOR] });
    }
    const { siteSettings } = tablesOf(tx);
    const now = clock();
    for (const key of changed) {
      const value = JSON.stringify(changes[key]);
      await tx
        .insert(siteSettings)
        .values({ key, value, updatedAt: new Date(now) })
        .onConflictDoUpdate({ target: siteSettings.key, set: { value, updatedAt: new Date(now) } });
    }
    const details: Record<string, { old: unknown; new: unknown }> = {};
    for (const key of changed) details[key] = { old: before[key], new: changes[key] };
    await recordAudit(tx, caller, { action: 'settings.change', target: { kind: 'settings', id: null, label: changed.join(', ') }, details }, now);
    return succeed({ settings: { ...before, ...Object.fromEntries(changed.map((key) => [key, changes[key]])) } as SiteSettings, changed });
  });
}

/** zod issues keyed by the setting's name ("navLinks"), in RealWorld's words. */
function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : String(issue.path[0] ?? 'settings');
    const message = issue.code === 'unrecognized_keys' ? 'is not a setting' : issue.message;
    (errors[key] ??= []).includes(message) || errors[key]!.push(message);
  }
  return errors;
}

/** A value as the CLI and a one-line form take it: text, a number, on/off, or JSON for the links. */
export function parseSettingText(key: SettingKey, text: string): unknown {
  switch (key) {
    case 'navLinks':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    case 'comments':
    case 'requireStaffTwoFactor':
    case 'unconfirmedMayWrite':
      return ({ on: true, true: true, yes: true, off: false, false: false, no: false } as Record<string, boolean>)[text.trim().toLowerCase()] ?? text;
    case 'newAccountArticlesPerDay':
    case 'newAccountCommentsPerDay':
      return /^\s*\d{1,9}\s*$/.test(text) ? Number(text) : text;
    default:
      return text;
  }
}

/** A value as the CLI prints it. */
export function formatSetting(key: SettingKey, value: SiteSettings[SettingKey]): string {
  if (key === 'comments' || key === 'requireStaffTwoFactor' || key === 'unconfirmedMayWrite') return value ? 'on' : 'off';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Whether `key` is the internal name or CLI name of a setting: its internal name. */
export function settingKeyNamed(name: string): SettingKey | null {
  const key = SETTING_KEYS.find((k) => k === name || SETTING_CLI_NAMES[k] === name);
  return key ?? null;
}
