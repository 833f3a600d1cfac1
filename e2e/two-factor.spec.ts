import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { expect, test, type Page } from '@playwright/test';
import { waitForMail } from './mailbox';
import { navbar, newUser, signOut, signUp, submitSignIn } from './support';

/** The code an authenticator app would show now for the secret the page showed. */
const codeFor = (secret: string) => generateTOTP(decodeBase32IgnorePadding(secret.replace(/\s+/g, '')), 30, 6);

async function signInWithSecondFactor(page: Page, user: { email: string; password: string }, code: string) {
  await page.goto('/login');
  await submitSignIn(page, user.email, user.password);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await page.getByLabel('Code from your app, or a recovery code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a member enrols TOTP, signs in with a code, later with a recovery code, which then no longer works', async ({ page, request }, testInfo) => {
  const member = newUser(testInfo, 'twofactor');
  await signUp(page, member);

  // enrol from settings: a QR code and the key as text; a code from it turns it on
  await page.goto('/settings');
  await page.getByRole('link', { name: 'Two-factor sign-in' }).click();
  await expect(page).toHaveURL(/\/settings\/two-factor$/);
  await expect(page.getByRole('img', { name: 'QR code of your two-factor key' })).toBeVisible();
  const secret = (await page.locator('#totp-secret').textContent())!;
  await page.getByLabel('Code from your app').fill(codeFor(secret));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  const codes = await page.locator('ul.recovery-codes code').allTextContents();
  expect(codes).toHaveLength(10);
  // and is told by mail
  await waitForMail(request, { to: member.email, subject: /^Two-factor sign-in was turned on$/ });
  await page.getByRole('link', { name: 'I have kept them' }).click();
  await expect(page.getByText('You have 10 unused recovery codes left.')).toBeVisible();
  await signOut(page);

  // the password alone is not enough: until the code, every page sees a visitor
  await page.goto('/login');
  await submitSignIn(page, member.email, member.password);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/login/two-factor');
  await page.getByLabel('Code from your app, or a recovery code').fill(codeFor(secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  // back to the page that asked for sign-in
  await expect(page).toHaveURL(/\/settings$/);
  await expect(navbar(page).getByRole('link', { name: member.username, exact: true })).toBeVisible();
  await signOut(page);

  // a recovery code, once
  await signInWithSecondFactor(page, member, codes[0]!);
  await expect(page.getByText('you have 9 left')).toBeVisible();
  await expect(navbar(page).getByRole('link', { name: member.username, exact: true })).toBeVisible();
  await signOut(page);

  await signInWithSecondFactor(page, member, codes[0]!);
  await expect(page.getByText('Code is invalid').first()).toBeVisible();
  await expect(page).toHaveURL(/\/login\/two-factor$/);
});
