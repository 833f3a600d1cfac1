import { expect, test as setup } from '@playwright/test';
import { OWNER } from './support';

// Runs once per engine, before every story (playwright.config.ts): the first account of a new
// site is its owner, so this one is.
setup('the first person to join a new site becomes its owner', async ({ request }) => {
  const response = await request.post('/api/users', { data: { user: OWNER } });
  expect(response.status()).toBe(201);
  const answer = await request.post('/api/users/login', { data: { user: { email: OWNER.email, password: OWNER.password } } });
  expect(answer.status()).toBe(200);
});
