import { expect, test, type Page } from '@playwright/test';
import { navbar, newBrowserContext, newUser, OWNER, postArticle, signIn, signUp, slugOf, submitSignIn, uniqueTitle } from './support';

/** The owner's /admin/users narrowed to one account, and that account's row. */
async function accountRow(page: Page, username: string) {
  await page.goto(`/admin/users?q=${encodeURIComponent(username)}`);
  const row = page.getByRole('row').filter({ hasText: username });
  await expect(row).toHaveCount(1);
  return row;
}

test('a suspended author cannot sign in and their articles disappear, and come back when unsuspended', async ({ page, browser }, testInfo) => {
  const author = newUser(testInfo, 'suspended');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'Soon suspended');
  await postArticle(page, testInfo, { title, description: 'Here for now', body: 'Words that will go away for a while.' });
  const slug = slugOf(title);

  const ownerContext = await newBrowserContext(browser, testInfo);
  const visitorContext = await newBrowserContext(browser, testInfo);
  try {
    const owner = await ownerContext.newPage();
    const visitor = await visitorContext.newPage();
    await signIn(owner, OWNER);

    let row = await accountRow(owner, author.username);
    await expect(row).toContainText('Active');
    await owner.getByLabel(`Reason for suspending ${author.username}`).fill('Posting spam');
    await row.getByRole('button', { name: 'Suspend', exact: true }).click();
    await expect(owner.getByText(`${author.username} is suspended;`)).toBeVisible();
    row = owner.getByRole('row').filter({ hasText: author.username });
    await expect(row).toContainText('Suspended for good: Posting spam');

    // the author's session has ended
    await page.goto('/editor');
    await expect(page).toHaveURL(/\/login$/);
    // they cannot sign in, and are told why
    await submitSignIn(page, author.email, author.password);
    await expect(page.getByText('This account is suspended for good: Posting spam')).toBeVisible();

    // their article and profile are gone for everyone
    const gone = await visitor.goto(`/article/${slug}`);
    expect(gone?.status()).toBe(404);
    expect((await visitor.goto(`/profile/${author.username}`))?.status()).toBe(404);

    await accountRow(owner, author.username);
    await owner.getByRole('button', { name: `Unsuspend ${author.username}` }).click();
    await expect(owner.getByText(`${author.username} is no longer suspended`)).toBeVisible();

    const back = await visitor.goto(`/article/${slug}`);
    expect(back?.status()).toBe(200);
    await expect(visitor.getByRole('heading', { level: 1 })).toHaveText(title);
    await visitor.goto(`/profile/${author.username}`);
    await expect(visitor.getByRole('link', { name: title })).toBeVisible();
    // and they can sign in again (back to the editor they were sent away from)
    await page.goto('/login');
    await submitSignIn(page, author.email, author.password);
    await expect(navbar(page).getByRole('link', { name: author.username, exact: true })).toBeVisible();
  } finally {
    await ownerContext.close();
    await visitorContext.close();
  }
});

test('the owner makes an author a moderator through /admin/users, and the moderator can open /admin', async ({ page, browser }, testInfo) => {
  const person = newUser(testInfo, 'promoted');
  await signUp(page, person);
  const refused = await page.goto('/admin');
  expect(refused?.status()).toBe(403);

  const ownerContext = await newBrowserContext(browser, testInfo);
  try {
    const owner = await ownerContext.newPage();
    await signIn(owner, OWNER);
    const row = await accountRow(owner, person.username);
    await expect(row).toContainText('Author');
    await owner.getByLabel(`Role for ${person.username}`).selectOption('moderator');
    await row.getByRole('button', { name: 'Change role' }).click();
    await expect(owner.getByText(`${person.username} is now a moderator.`)).toBeVisible();
    await expect(owner.getByRole('row').filter({ hasText: person.username })).toContainText('Moderator');
  } finally {
    await ownerContext.close();
  }

  const opened = await page.goto('/admin');
  expect(opened?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Administration');
  await expect(page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
});
