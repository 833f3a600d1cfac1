import { expect, test } from '@playwright/test';
import { linkIn, waitForMail } from './mailbox';
import { baseURL, navbar, newUser, signIn, signOut, signUp } from './support';

test('a user can set a bio and a picture that their profile shows', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'profiled');
  await signUp(page, user);
  // a real image this server serves, so the page does not wait on the network
  const image = `${baseURL(testInfo)}/default-avatar.svg?for=${user.username}`;
  const bio = `I write about ${user.username}.`;

  await page.goto('/settings');
  await page.getByLabel('Profile picture URL').fill(image);
  await page.getByLabel('Bio').fill(bio);
  await page.getByRole('button', { name: 'Update Settings' }).click();

  await expect(page).toHaveURL(`/profile/${user.username}`);
  const info = page.locator('.user-info');
  await expect(info.getByRole('heading', { level: 4 })).toHaveText(user.username);
  await expect(info.locator('p')).toHaveText(bio);
  await expect(info.locator('img.user-img')).toHaveAttribute('src', image);
  await expect(navbar(page).locator('img.user-pic')).toHaveAttribute('src', image);

  await page.goto('/settings');
  await expect(page.getByLabel('Profile picture URL')).toHaveValue(image);
  await expect(page.getByLabel('Bio')).toHaveValue(bio);
});

test('changing the email asks for the current password', async ({ page, request }, testInfo) => {
  const user = newUser(testInfo, 'mover');
  await signUp(page, user);
  const newEmail = `new-${user.email}`;

  await page.goto('/settings');
  await page.getByLabel('Email').fill(newEmail);
  await page.getByRole('button', { name: 'Update Settings' }).click();

  await expect(page).toHaveURL('/settings');
  await expect(page.locator('.error-messages')).toContainText('Current password is needed');
  await expect(page.getByLabel('Email')).toHaveValue(newEmail);

  await page.getByLabel('Current password').fill(user.password);
  await page.getByRole('button', { name: 'Update Settings' }).click();
  await expect(page).toHaveURL(`/profile/${user.username}`);

  // the new address applies once confirmed (e2e/password-reset.spec.ts has the whole story)
  const mail = await waitForMail(request, { to: newEmail, subject: /Confirm your e-mail address/ });
  await page.goto(linkIn(mail, '/confirm-email/'));
  await page.getByRole('button', { name: `Confirm ${newEmail}` }).click();
  await expect(page).toHaveURL('/settings');

  await signOut(page);
  await signIn(page, { ...user, email: newEmail });
});

test('a picture URL that is not http(s) is refused', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'careful');
  await signUp(page, user);

  await page.goto('/settings');
  await page.getByLabel('Profile picture URL').fill('javascript:alert(1)');
  await page.getByRole('button', { name: 'Update Settings' }).click();

  await expect(page).toHaveURL('/settings');
  await expect(page.locator('.error-messages')).toContainText('must be an http:// or https:// URL');
  await expect(page.getByLabel('Profile picture URL')).toHaveValue('javascript:alert(1)');

  await page.goto(`/profile/${user.username}`);
  await expect(page.locator('.user-info img.user-img')).toHaveAttribute('src', '/default-avatar.svg');
});
