import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { linkIn, waitForMail } from './mailbox';
import { newBrowserContext, newUser, OWNER, postArticle, signIn, signUp, submitSignIn, uniqueTitle, slugOf } from './support';

/**
 * What axe finds that a person using a screen reader or a keyboard would trip over: its serious and
 * critical rules, on the page as the browser shows it (styles applied, JavaScript on or off).
 */
async function expectNoSeriousAxeViolation(page: Page, what: string): Promise<void> {
  const results = await analyze(page, test.info());
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious, what).toEqual([]);
  // axe did look at the page: it passed rules on it
  expect(results.passes.length, what).toBeGreaterThan(10);
}

/**
 * axe runs as a script in the page, which the js-off project turns off: there it looks at the same
 * document (the DOM as served, with its styles) in a page of its own where no script of the site
 * runs, only axe.
 */
async function analyze(page: Page, testInfo: TestInfo) {
  if (testInfo.project.use.javaScriptEnabled !== false) return await new AxeBuilder({ page }).analyze();
  const html = await page.content();
  const url = page.url();
  const context = await (page.context().browser() as Browser).newContext({ javaScriptEnabled: true });
  try {
    await context.route((target) => target.pathname.endsWith('.js'), (route) => route.abort());
    await context.route((target) => target.href === url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    const copy = await context.newPage();
    await copy.goto(url);
    // the site's stylesheet applies (colour contrast and link rules depend on it): --text
    await expect(copy.locator('body')).toHaveCSS('color', 'rgb(31, 35, 40)');
    return await new AxeBuilder({ page: copy }).analyze();
  } finally {
    await context.close();
  }
}

/** The form's page came back with its one error list, at the same URL. */
async function expectErrorPage(page: Page, path: string, message: string): Promise<void> {
  await expect(page).toHaveURL(path);
  await expect(page.locator('ul.error-messages')).toContainText(message);
  await expect(page.getByRole('alert')).toContainText(message);
}

test('a visitor who gets the sign-in and sign-up forms wrong can read what went wrong with assistive technology', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'axe-auth');

  await page.goto('/login');
  // every story signs in from 127.0.0.1: another story's wrong password in the same moment can
  // make this one "try again in 1 second" (the sign-in throttle), so it tries again, as a person would
  await expect(async () => {
    await submitSignIn(page, user.email, 'not a password of anyone');
    await expect(page.locator('ul.error-messages')).toContainText('Email or password is invalid', { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expectErrorPage(page, '/login', 'Email or password is invalid');
  await expectNoSeriousAxeViolation(page, 'sign-in');

  await page.goto('/register');
  await page.getByLabel('Username').fill('two words');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectErrorPage(page, '/register', 'Username');
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
  await expectNoSeriousAxeViolation(page, 'sign-up');
});

test('a writer who gets the editor wrong can read what went wrong with assistive technology', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'axe-writer');
  await signUp(page, user);

  await page.goto('/editor');
  await page.getByPlaceholder("What's this article about?").fill('No title yet');
  await page.getByRole('button', { name: 'Publish Article' }).click();
  await expectErrorPage(page, '/editor', "Title can't be blank");
  await expect(page.getByPlaceholder("What's this article about?")).toHaveValue('No title yet');
  await expectNoSeriousAxeViolation(page, 'new article');

  const title = uniqueTitle(testInfo, 'Accessible errors');
  await postArticle(page, testInfo, { title, description: 'About errors', body: 'Some words.', tags: ['axe', 'forms'] });
  await page.goto(`/editor/${slugOf(title)}`);
  await page.getByPlaceholder('Article Title').fill('');
  await page.getByRole('button', { name: 'Publish Article' }).click();
  await expectErrorPage(page, `/editor/${slugOf(title)}`, "Title can't be blank");
  await expectNoSeriousAxeViolation(page, 'edit article');
});

test('a member who gets the settings or a comment wrong can read what went wrong with assistive technology', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'axe-member');
  await signUp(page, user);

  await page.goto('/settings');
  await page.getByLabel('Email').fill(`new-${user.email}`);
  await page.getByLabel('Profile picture URL').fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Update Settings' }).click();
  await expectErrorPage(page, '/settings', 'must be an http:// or https:// URL');
  await expectNoSeriousAxeViolation(page, 'settings');

  const title = uniqueTitle(testInfo, 'Commented errors');
  await postArticle(page, testInfo, { title, description: 'About comments', body: 'Some words.' });
  await page.goto(`/article/${slugOf(title)}`);
  // only spaces: the browser sends it, the server refuses it
  await page.getByPlaceholder('Write a comment...').fill('   ');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expectErrorPage(page, `/article/${slugOf(title)}/comments`, "Comment can't be blank");
  await expect(page.getByPlaceholder('Write a comment...')).toHaveAttribute('aria-invalid', 'true');
  await expectNoSeriousAxeViolation(page, 'comment');
});

test('a new member whose feed is empty can find the way to articles with assistive technology', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'axe-empty');
  await signUp(page, user);

  await page.goto('/?feed=following');
  await expect(page.locator('.empty-feed-message')).toContainText('Your feed is empty');
  const link = page.locator('.empty-feed-message').getByRole('link', { name: 'Global Feed' });
  // told from the sentence around it by more than its colour
  await expect(link).toHaveCSS('text-decoration-line', 'underline');
  await expectNoSeriousAxeViolation(page, 'empty feed');
});

test('a reader who reports and a moderator who hides can do it with assistive technology', async ({ page, browser }, testInfo) => {
  // three people and seven pages, each analysed by axe: near 30 s with JavaScript off on a busy machine
  test.slow();
  await signUp(page, newUser(testInfo, 'a11y-author'));
  const title = uniqueTitle(testInfo, 'Moderated');
  const slug = slugOf(title);
  await postArticle(page, testInfo, { title, description: 'Words', body: 'Some words.' });
  await page.goto(`/article/${slug}`);
  await page.getByPlaceholder('Write a comment...').fill('A comment to moderate');
  await page.getByRole('button', { name: 'Post Comment' }).click();

  const readerContext = await newBrowserContext(browser, testInfo);
  const reader = await readerContext.newPage();
  await signUp(reader, newUser(testInfo, 'a11y-reader'));
  await reader.goto(`/article/${slug}`);
  await expectNoSeriousAxeViolation(reader, 'the article page with Report links');
  await reader.getByRole('link', { name: 'Report this article' }).click();
  // blanks pass the browser's own check (required), not the server's
  await reader.getByLabel('What is wrong with it?').fill('   ');
  await reader.getByRole('button', { name: 'Send report' }).click();
  await expectErrorPage(reader, `/article/${slug}/report`, "Reason can't be blank");
  await expectNoSeriousAxeViolation(reader, 'the report form with its error');
  await reader.getByLabel('What is wrong with it?').fill(`Off topic ${testInfo.project.name}`);
  await reader.getByRole('button', { name: 'Send report' }).click();
  await expect(reader.locator('.flash')).toContainText('Thanks');
  await readerContext.close();

  await page.goto(`/article/${slug}/delete`);
  await expectNoSeriousAxeViolation(page, 'the confirmation page');

  const moderatorContext = await newBrowserContext(browser, testInfo);
  const moderator = await moderatorContext.newPage();
  await signIn(moderator, OWNER);
  await moderator.goto(`/article/${slug}`);
  await expectNoSeriousAxeViolation(moderator, 'the article page with the moderator’s forms');
  for (const path of ['/admin/reports', '/admin/reports?state=resolved', '/admin/content']) {
    await moderator.goto(path);
    await expectNoSeriousAxeViolation(moderator, path);
  }
  await moderatorContext.close();
});

test('an owner can run the site from /admin with assistive technology', async ({ page }) => {
  // eight pages, each analysed by axe in a page of its own: over 30 s on a busy 2-core machine
  test.slow();
  await signIn(page, OWNER);
  for (const path of ['/admin', '/admin/users', '/admin/settings', '/admin/pages', '/admin/pages/new', '/admin/invitations', '/admin/audit', '/admin/media']) {
    await page.goto(path);
    await expectNoSeriousAxeViolation(page, path);
  }
  // a title of spaces passes the browser's own check (required), not the server's: nothing changes
  await page.goto('/admin/settings');
  await page.getByLabel('Title', { exact: true }).fill('   ');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('.error-messages')).toBeVisible();
  await expectNoSeriousAxeViolation(page, 'the settings form with its error');
});

test('an author can read their notifications and choose them with assistive technology', async ({ page, browser }, testInfo) => {
  const author = newUser(testInfo, 'axe-notified');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'Notify me');
  await postArticle(page, testInfo, { title, description: 'For notifications', body: 'Comment, please.' });
  const readerContext = await newBrowserContext(browser, testInfo);
  try {
    const readerPage = await readerContext.newPage();
    await signUp(readerPage, newUser(testInfo, 'axe-notifier'));
    await readerPage.goto(`/article/${slugOf(title)}`);
    await readerPage.getByPlaceholder('Write a comment...').fill('A comment to be told of.');
    await readerPage.getByRole('button', { name: 'Post Comment' }).click();
    await expect(readerPage.locator('p.card-text').getByText('A comment to be told of.', { exact: true })).toBeVisible();
  } finally {
    await readerContext.close();
  }
  await page.goto('/notifications');
  await expect(page.locator('.notification-list li')).toHaveCount(1);
  await expectNoSeriousAxeViolation(page, 'the notifications page');
  await page.goto('/settings/notifications');
  await expectNoSeriousAxeViolation(page, 'the notification settings');
});

test('a member who forgot their password can get back in with assistive technology', async ({ page, request }, testInfo) => {
  const user = newUser(testInfo, 'axe-reset');
  await signUp(page, user);
  await page.goto('/settings');
  await expectNoSeriousAxeViolation(page, 'settings with the address to confirm');
  const welcome = await waitForMail(request, { to: user.email, subject: /Confirm your e-mail address/ });
  await page.goto(linkIn(welcome, '/confirm-email/'));
  await expectNoSeriousAxeViolation(page, 'the confirmation page');

  await page.goto('/forgot-password');
  await page.getByLabel('Email').fill('not an address');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expectErrorPage(page, '/forgot-password', 'Email is not a valid email address');
  await expectNoSeriousAxeViolation(page, '"Forgot your password?" with its error');
  await page.getByLabel('Email').fill(user.email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByText('If an account uses that address')).toBeVisible();

  const mail = await waitForMail(request, { to: user.email, subject: /Reset your password/ });
  const link = linkIn(mail, '/reset-password/');
  await page.goto(link);
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expectErrorPage(page, link, 'New password is too short');
  await expectNoSeriousAxeViolation(page, 'the new password form with its error');
});
