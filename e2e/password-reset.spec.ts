import { expect, test } from '@playwright/test';
import { linkIn, waitForMail } from './mailbox';
import { navbar, newBrowserContext, newUser, signIn, signUp, submitSignIn } from './support';

test('a member who forgot their password resets it by mail, and their other session is signed out', async ({ page, browser, request }, testInfo) => {
  const user = newUser(testInfo, 'forgetful');
  // signed in on another device, where the story ends
  const laptop = await newBrowserContext(browser, testInfo);
  const other = await laptop.newPage();
  await signUp(other, user);

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL('/forgot-password');
  await page.getByLabel('Email').fill(user.email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page).toHaveURL('/forgot-password');
  await expect(page.getByText('If an account uses that address')).toBeVisible();

  const mail = await waitForMail(request, { to: user.email, subject: /Reset your password/ });
  expect(mail.html).toContain('Choose a new password');
  const link = linkIn(mail, '/reset-password/');
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  const password = `${user.password} renewed`;
  await page.getByLabel('New password').fill(password);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page).toHaveURL('/login');
  await expect(page.getByText('Your password is changed')).toBeVisible();

  // the link worked once
  await page.goto(link);
  await expect(page.getByText('This reset link is not valid')).toBeVisible();

  // the old password no longer signs in; the new one does
  await page.goto('/login');
  await submitSignIn(page, user.email, user.password);
  await expect(page.locator('.error-messages')).toContainText('Email or password is invalid');
  await signIn(page, { ...user, password });

  // the other device was signed out
  await other.goto('/settings');
  await expect(other).toHaveURL('/login');
  await expect(navbar(other).getByRole('link', { name: 'Sign in' })).toBeVisible();
  await laptop.close();

  const notice = await waitForMail(request, { to: user.email, subject: /Your password was reset/ });
  expect(notice.text).toContain('/forgot-password');
});

test('a new member confirms their address from the mail, and a changed address applies once confirmed', async ({ page, request }, testInfo) => {
  const user = newUser(testInfo, 'confirming');
  await signUp(page, user);
  await page.goto('/settings');
  await expect(page.getByText('is not confirmed yet')).toBeVisible();

  const welcome = await waitForMail(request, { to: user.email, subject: /Confirm your e-mail address/ });
  await page.goto(linkIn(welcome, '/confirm-email/'));
  // opening the link changes nothing: the button confirms
  await page.getByRole('button', { name: `Confirm ${user.email}` }).click();
  await expect(page).toHaveURL('/settings');
  await expect(page.getByText(`Your e-mail address ${user.email} is confirmed.`).first()).toBeVisible();

  const newEmail = `new-${user.email}`;
  await page.getByLabel('Email', { exact: true }).fill(newEmail);
  await page.getByLabel('Current password').fill(user.password);
  await page.getByRole('button', { name: 'Update Settings' }).click();
  await expect(page).toHaveURL(`/profile/${user.username}`);
  await expect(page.getByText(`Your e-mail address changes to ${newEmail} once you follow the link`)).toBeVisible();
  await page.goto('/settings');
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(user.email);

  const confirm = await waitForMail(request, { to: newEmail, subject: /Confirm your e-mail address/ });
  await page.goto(linkIn(confirm, '/confirm-email/'));
  await page.getByRole('button', { name: `Confirm ${newEmail}` }).click();
  await expect(page).toHaveURL('/settings');
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(newEmail);

  const notice = await waitForMail(request, { to: user.email, subject: /Your e-mail address was changed/ });
  expect(notice.text).toContain('/forgot-password');
});
