import { expect, test } from '@playwright/test';
import { uniqueName } from './support';

test('a visitor who follows a broken link sees the not-found page', async ({ page }, testInfo) => {
  const response = await page.goto(`/${uniqueName(testInfo, 'no-such-page')}`);

  expect(response?.status()).toBe(404);
  await expect(page.getByText('Sorry, this resource does not exist.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the home page' })).toHaveAttribute('href', '/');
});
