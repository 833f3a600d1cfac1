import { expect, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';

export type User = { username: string; email: string; password: string };
export type ArticleInput = { title: string; description: string; body: string; tags?: string[] };

/**
 * A name no other test (or the other project on the same engine, which shares the server) will
 * use: `prefix-on-lx4k2p9qab12`. Usernames allow 40 characters of [A-Za-z0-9_-].
 */
export function uniqueName(testInfo: TestInfo, prefix: string): string {
  const project = testInfo.project.name.replace(/^(community-)?(sqlite|postgres)-js-/, '');
  const random = Math.random().toString(36).slice(2, 6).padEnd(4, '0');
  const name = `${prefix}-${project}-${Date.now().toString(36)}${random}`;
  if (name.length > 40 || !/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`uniqueName: bad prefix "${prefix}"`);
  return name;
}

/** An article title no other test uses: "Some words t-on-lx4k2p9qab12". */
export function uniqueTitle(testInfo: TestInfo, words: string): string {
  return `${words} ${uniqueName(testInfo, 't')}`;
}

export function newUser(testInfo: TestInfo, prefix = 'user'): User {
  const username = uniqueName(testInfo, prefix);
  return { username, email: `${username.toLowerCase()}@example.test`, password: `velvet otter quarry ${username.length}` };
}

/** The slug Quire derives from a plain ASCII title ("Hello, World 2" -> "hello-world-2"). */
export function slugOf(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function navbar(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/** The article page's top row of buttons (the same buttons appear again below the article). */
export function articleBanner(page: Page) {
  return page.locator('.article-page .banner');
}

export async function signUp(page: Page, user: User): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page).toHaveURL('/');
  await expect(navbar(page).getByRole('link', { name: user.username, exact: true })).toBeVisible();
}

/** Fills and sends the sign-in form on the current /login page. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signIn(page: Page, user: Pick<User, 'email' | 'password' | 'username'>): Promise<void> {
  await page.goto('/login');
  await submitSignIn(page, user.email, user.password);
  await expect(page).toHaveURL('/');
  await expect(navbar(page).getByRole('link', { name: user.username, exact: true })).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Or click here to logout.' }).click();
  await expect(page).toHaveURL('/');
  await expect(navbar(page).getByRole('link', { name: 'Sign in' })).toBeVisible();
}

/** Types a tag and presses Enter, then waits for its pill (added in the page, or by the server without JS). */
export async function addTag(page: Page, tag: string): Promise<void> {
  const pills = editorTagPills(page);
  const before = await pills.count();
  await page.getByPlaceholder('Enter tags').fill(tag);
  await page.getByPlaceholder('Enter tags').press('Enter');
  await expect(pills).toHaveCount(before + 1);
  // Enter adds a tag and never publishes: still on the editor
  await expect(page).toHaveURL(/\/editor(\/[^/]+)?$/);
  await expect(pills.last()).toHaveText(tag);
  await expect(page.getByPlaceholder('Enter tags')).toHaveValue('');
}

export function editorTagPills(page: Page) {
  return page.locator('.editor-form .tag-list .tag-pill');
}

/** Writes an article through the editor form and returns its slug (the page is left on the article). */
export async function publishArticle(page: Page, article: ArticleInput): Promise<string> {
  await page.goto('/editor');
  await page.getByPlaceholder('Article Title').fill(article.title);
  await page.getByPlaceholder("What's this article about?").fill(article.description);
  await page.getByPlaceholder('Write your article (in markdown)').fill(article.body);
  for (const tag of article.tags ?? []) await addTag(page, tag);
  await page.getByRole('button', { name: 'Publish Article' }).click();
  await expect(page).toHaveURL(`/article/${slugOf(article.title)}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(article.title);
  return slugOf(article.title);
}

/**
 * Publishes an article by posting the editor form directly: fast setup for tests about lists.
 * page.request shares the page's cookies, so the article belongs to the signed-in user.
 */
export async function postArticle(page: Page, testInfo: TestInfo, article: ArticleInput): Promise<void> {
  const origin = new URL(baseURL(testInfo)).origin;
  const response = await page.request.post('/editor', {
    headers: { Origin: origin },
    form: {
      title: article.title,
      description: article.description,
      body: article.body,
      tag: (article.tags ?? []).join(','),
      op: 'publish',
    },
    maxRedirects: 0,
  });
  expect(response.status(), `publishing "${article.title}"`).toBe(303);
  expect(response.headers()['location']).toBe(`/article/${slugOf(article.title)}`);
}

export function baseURL(testInfo: TestInfo): string {
  const url = testInfo.project.use.baseURL;
  if (!url) throw new Error('baseURL is not configured');
  return url;
}

/** A second, separate browser (own cookies) with the same project settings, JavaScript on or off. */
export async function newBrowserContext(browser: Browser, testInfo: TestInfo): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: baseURL(testInfo),
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled ?? true,
  });
}

/**
 * The site's owner: the first account, signed up by the setup project (e2e/owner.setup.ts) before
 * any story runs on that engine. Stories that need an admin or a moderator sign in as the owner
 * and give the role, as a person running a site would.
 */
export const OWNER: User = { username: 'site-owner', email: 'site-owner@example.test', password: 'velvet otter quarry owner' };
