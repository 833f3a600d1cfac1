import { expect, test } from '@playwright/test';
import { navbar, newUser, signIn, signOut, signUp, submitSignIn } from './support';

test('a visitor can sign up, sign out and sign in again', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'reader');

  await signUp(page, user);
  await expect(navbar(page).getByRole('link', { name: 'New Article' })).toBeVisible();

  await signOut(page);
  await expect(navbar(page).getByRole('link', { name: user.username })).toHaveCount(0);

  await signIn(page, user);
});

test('a wrong password shows an error and keeps the typed email', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'forgetful');
  await signUp(page, user);
  await signOut(page);

  await page.goto('/login');
  await submitSignIn(page, user.email, 'not-the-password');

  await expect(page).toHaveURL('/login');
  await expect(page.locator('.error-messages')).toContainText('Email or password is invalid');
  await expect(page.getByLabel('Email')).toHaveValue(user.email);
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expect(navbar(page).getByRole('link', { name: 'Sign in' })).toBeVisible();

  // the same form then works with the right password
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/');
  await expect(navbar(page).getByRole('link', { name: user.username, exact: true })).toBeVisible();
});

test('a signed-out writer is sent to sign in and then returns to the editor', async ({ page }, testInfo) => {
  const user = newUser(testInfo, 'writer');
  await signUp(page, user);
  await signOut(page);

  await page.goto('/editor');
  await expect(page).toHaveURL('/login');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  await submitSignIn(page, user.email, user.password);
  await expect(page).toHaveURL('/editor');
  await expect(page.getByRole('button', { name: 'Publish Article' })).toBeVisible();
});
