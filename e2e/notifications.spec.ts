import { expect, test } from '@playwright/test';
import { linkIn, waitForMail } from './mailbox';
import { navbar, newBrowserContext, newUser, postArticle, signUp, slugOf, uniqueName, uniqueTitle } from './support';

test('an author is notified of a comment in the page and by mail', async ({ page, browser, request }, testInfo) => {
  const author = newUser(testInfo, 'notified');
  await signUp(page, author);
  const title = uniqueTitle(testInfo, 'Tell me');
  await postArticle(page, testInfo, { title, description: 'Comments wanted', body: 'Say something.' });

  // comments by e-mail too (off by default)
  await page.goto('/settings');
  await page.getByRole('link', { name: 'Choose which notifications you get, and which by e-mail' }).click();
  await expect(page).toHaveURL('/settings/notifications');
  const comments = page.getByRole('group', { name: 'Someone comments on your article' });
  await expect(comments.getByRole('checkbox', { name: 'Show in Quire' })).toBeChecked();
  await expect(comments.getByRole('checkbox', { name: 'Send me an e-mail' })).not.toBeChecked();
  await comments.getByRole('checkbox', { name: 'Send me an e-mail' }).check();
  await page.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Notification settings saved.');
  await expect(comments.getByRole('checkbox', { name: 'Send me an e-mail' })).toBeChecked();
  await expect(navbar(page).getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();

  const readerContext = await newBrowserContext(browser, testInfo);
  const text = `Well said, ${uniqueName(testInfo, 'c')}`;
  const reader = newUser(testInfo, 'replier');
  try {
    const readerPage = await readerContext.newPage();
    await signUp(readerPage, reader);
    await readerPage.goto(`/article/${slugOf(title)}`);
    await readerPage.getByPlaceholder('Write a comment...').fill(text);
    await readerPage.getByRole('button', { name: 'Post Comment' }).click();
    await expect(readerPage.locator('p.card-text').getByText(text, { exact: true })).toBeVisible();
  } finally {
    await readerContext.close();
  }

  // in the page: the count in the navigation, then the notification itself
  await page.goto('/');
  const link = navbar(page).getByRole('link', { name: 'Notifications, 1 unread' });
  await expect(link).toHaveText('Notifications (1)');
  await link.click();
  await expect(page).toHaveURL('/notifications');
  const item = page.locator('.notification-list li').first();
  await expect(item).toContainText(`${reader.username} commented on ${title}.`);
  await expect(item).toContainText('Unread');
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(page.getByRole('status')).toHaveText('One notification marked as read.');
  await expect(navbar(page).getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();
  await item.getByRole('link', { name: 'commented' }).click();
  await expect(page).toHaveURL(new RegExp(`/article/${slugOf(title)}#comment-\\d+$`));
  await expect(page.locator('p.card-text').getByText(text, { exact: true })).toBeVisible();

  // by mail: one digest, with a one-click unsubscribe
  const mail = await waitForMail(request, { to: author.email, subject: /^A new comment on your article$/ });
  expect(mail.text).toContain(`${reader.username} commented on "${title}".`);
  expect(mail.html).toContain(`>${title}</a>`);
  expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  const unsubscribe = linkIn(mail, '/unsubscribe/');
  expect(mail.headers['list-unsubscribe']).toContain(unsubscribe);

  // the link: a page with a button, then mail for comments is off
  await page.goto(unsubscribe);
  await page.getByRole('button', { name: 'Stop these e-mails' }).click();
  await expect(page.getByRole('status')).toContainText('you will get no more e-mails about comments on your articles');
  await page.goto('/settings/notifications');
  await expect(comments.getByRole('checkbox', { name: 'Send me an e-mail' })).not.toBeChecked();
});
