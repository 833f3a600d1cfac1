import { expect, test, type Page } from '@playwright/test';
import { newBrowserContext, newUser, OWNER, postArticle, signIn, signUp, slugOf, uniqueName, uniqueTitle } from './support';

function commentCard(page: Page, text: string) {
  return page.locator('.card').filter({ has: page.locator('p.card-text').getByText(text, { exact: true }) });
}

async function comment(page: Page, text: string): Promise<void> {
  await page.getByPlaceholder('Write a comment...').fill(text);
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(commentCard(page, text)).toBeVisible();
}

test('a reader reports a spam comment, a moderator hides it and it is gone for everyone, signed in or not, and from the API', async ({
  page,
  browser,
}, testInfo) => {
  // an author's article, and a spammer's comment under it
  await signUp(page, newUser(testInfo, 'gardener'));
  const title = uniqueTitle(testInfo, 'Growing tulips');
  const slug = slugOf(title);
  await postArticle(page, testInfo, { title, description: 'Bulbs', body: 'Plant them in autumn.' });
  const spammerContext = await newBrowserContext(browser, testInfo);
  const spammer = await spammerContext.newPage();
  await signUp(spammer, newUser(testInfo, 'spammer'));
  await spammer.goto(`/article/${slug}`);
  const spam = `Cheap watches at spam.example ${uniqueName(testInfo, 's')}`;
  await comment(spammer, spam);

  // a reader reports it
  const readerContext = await newBrowserContext(browser, testInfo);
  const reader = await readerContext.newPage();
  await signUp(reader, newUser(testInfo, 'reader'));
  await reader.goto(`/article/${slug}`);
  await commentCard(reader, spam).getByRole('link', { name: 'Report comment' }).click();
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('Report this comment');
  const reason = `Spam links ${uniqueName(testInfo, 'r')}`;
  await reader.getByLabel('What is wrong with it?').fill(reason);
  await reader.getByRole('button', { name: 'Send report' }).click();
  await expect(reader).toHaveURL(`/article/${slug}`);
  await expect(reader.locator('.flash')).toContainText('Thanks, the moderators will look at it.');

  // the site's owner moderates: the report is in the queue, and they hide the comment from it
  const moderatorContext = await newBrowserContext(browser, testInfo);
  const moderator = await moderatorContext.newPage();
  await signIn(moderator, OWNER);
  await moderator.goto('/admin/reports');
  const row = moderator.locator('tbody tr').filter({ hasText: reason });
  await expect(row.getByRole('link', { name: spam })).toBeVisible();
  await row.getByLabel('Hide it').check();
  await row.getByLabel('Reason or note (required to hide)').fill('Spam');
  await row.getByRole('button', { name: 'Resolve' }).click();
  await expect(moderator.locator('.flash')).toContainText('Report resolved.');
  await expect(moderator.locator('tbody tr').filter({ hasText: reason })).toHaveCount(0);
  await moderator.goto('/admin/reports?state=resolved');
  await expect(moderator.locator('tbody tr').filter({ hasText: reason })).toContainText(`hidden by ${OWNER.username}`);

  // gone for the reader, for a visitor, and from the API; its author and the moderator see why
  await reader.goto(`/article/${slug}`);
  await expect(commentCard(reader, spam)).toHaveCount(0);
  const visitorContext = await newBrowserContext(browser, testInfo);
  const visitor = await visitorContext.newPage();
  await visitor.goto(`/article/${slug}`);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(commentCard(visitor, spam)).toHaveCount(0);
  const fromApi = await visitor.request.get(`/api/articles/${slug}/comments`);
  expect(fromApi.status()).toBe(200);
  expect(JSON.stringify(await fromApi.json())).not.toContain(spam);
  await spammer.goto(`/article/${slug}`);
  await expect(commentCard(spammer, spam).locator('.hidden-notice')).toHaveText('Hidden by a moderator: Spam');
  await moderator.goto(`/article/${slug}`);
  await expect(commentCard(moderator, spam).getByRole('button', { name: 'Restore comment' })).toBeVisible();

  for (const context of [spammerContext, readerContext, moderatorContext, visitorContext]) await context.close();
});

test('an author deletes a comment under their article', async ({ page, browser }, testInfo) => {
  const author = newUser(testInfo, 'host');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'My corner');
  const slug = slugOf(title);
  await postArticle(page, testInfo, { title, description: 'Mine', body: 'Be kind.' });

  const guestContext = await newBrowserContext(browser, testInfo);
  const guest = await guestContext.newPage();
  await signUp(guest, newUser(testInfo, 'guest'));
  await guest.goto(`/article/${slug}`);
  const rude = `Rude words ${uniqueName(testInfo, 'c')}`;
  await comment(guest, rude);
  await guestContext.close();

  await page.goto(`/article/${slug}`);
  await commentCard(page, rude).locator('.mod-options').getByRole('button', { name: 'Delete comment' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delete this comment?');
  await expect(page.locator('blockquote')).toHaveText(rude);
  await page.getByRole('button', { name: 'Delete comment' }).click();

  await expect(page).toHaveURL(`/article/${slug}`);
  await expect(page.locator('.flash')).toContainText('Comment deleted.');
  await expect(commentCard(page, rude)).toHaveCount(0);
});
