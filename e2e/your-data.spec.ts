import fs from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { newUser, postArticle, signUp, slugOf, submitSignIn, uniqueTitle } from './support';

test('a member exports their data and the zip holds every article', async ({ page }, testInfo) => {
  const member = newUser(testInfo, 'exporter');
  await signUp(page, member);
  const titles = [uniqueTitle(testInfo, 'First export'), uniqueTitle(testInfo, 'Second export')];
  for (const title of titles) await postArticle(page, testInfo, { title, description: 'To take along', body: `The words of *${title}*.` });

  await page.goto('/settings');
  await page.getByRole('link', { name: 'Your data: export it, or delete your account' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export my data' }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^quire-${member.username}-\\d{4}-\\d\\d-\\d\\d\\.zip$`));
  const files = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
  expect(Object.keys(files).sort()).toEqual(['account.json', ...titles.map((title) => `articles/${slugOf(title)}.md`)].sort());
  const account = JSON.parse(strFromU8(files['account.json']!));
  expect(account.account.username).toBe(member.username);
  for (const title of titles) {
    const markdown = strFromU8(files[`articles/${slugOf(title)}.md`]!);
    expect(markdown).toContain(`title: "${title}"`);
    expect(markdown).toContain(`The words of *${title}*.`);
  }
});

test('a member deletes their account and cannot sign in', async ({ page }, testInfo) => {
  const member = newUser(testInfo, 'leaver');
  await signUp(page, member);
  await page.goto('/settings/data');
  await page.getByRole('link', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/settings\/delete$/);
  await page.getByLabel('Delete my articles too').check();
  await page.getByLabel('Your password').fill(member.password);
  await page.getByRole('button', { name: 'Delete my account for good' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('Your account is deleted')).toBeVisible();

  await page.goto('/login');
  await submitSignIn(page, member.email, member.password);
  await expect(page.getByText('Email or password is invalid')).toBeVisible();
  expect((await page.goto(`/profile/${member.username}`))?.status()).toBe(404);
});
