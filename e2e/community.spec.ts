import { expect, test, type APIRequestContext } from '@playwright/test';
import { navbar, newBrowserContext, newUser, OWNER, signIn } from './support';

// These stories change who may join the site. They run on a site of their own (playwright.config.ts:
// the community-* projects and servers), one at a time, JavaScript on and then off, so no other
// story meets a closed site; each leaves sign-ups open again, even when it fails.
test.describe.configure({ mode: 'serial' });

/** The owner's API token on this site. */
async function ownerToken(request: APIRequestContext): Promise<string> {
  const res = await request.post('/api/users/login', { data: { user: { email: OWNER.email, password: OWNER.password } } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { user: { token: string } }).user.token;
}

async function setRegistration(request: APIRequestContext, registration: 'open' | 'invite' | 'closed') {
  const res = await request.put('/api/admin/settings', {
    headers: { authorization: `Token ${await ownerToken(request)}` },
    data: { settings: { registration } },
  });
  expect(res.status()).toBe(200);
}

test('an owner closes sign-ups and a visitor cannot join', async ({ page, browser, request }, testInfo) => {
  try {
    await signIn(page, OWNER);
    await page.goto('/admin/settings');
    await page.getByLabel('Who may join').selectOption('closed');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page).toHaveURL('/admin/settings');
    await expect(page.getByRole('status')).toContainText('Settings saved.');
    await expect(page.getByLabel('Who may join')).toHaveValue('closed');

    const context = await newBrowserContext(browser, testInfo);
    const visitor = await context.newPage();
    await visitor.goto('/');
    await navbar(visitor).getByRole('link', { name: 'Sign up' }).click();
    await expect(visitor.getByRole('heading', { name: 'Sign-ups are closed' })).toBeVisible();
    await expect(visitor.getByText('Sign-ups on this site are closed.')).toBeVisible();
    await expect(visitor.getByLabel('Username')).toHaveCount(0);

    // nor through the API
    const user = newUser(testInfo, 'shut-out');
    const res = await request.post('/api/users', { data: { user } });
    expect(res.status()).toBe(403);
    expect(await res.json()).toEqual({ errors: { registration: ['is closed on this site'] } });
    await context.close();

    // the owner sees it in the audit log
    await page.goto('/admin/audit?action=settings.change');
    await expect(page.getByRole('cell', { name: 'settings.change' }).first()).toBeVisible();
  } finally {
    await setRegistration(request, 'open');
  }
});

test('an owner invites an editor who joins by the link', async ({ page, browser, request }, testInfo) => {
  try {
    // by invitation only: the link is the one way in
    await setRegistration(request, 'invite');
    const editor = newUser(testInfo, 'editor');
    const note = `Editor ${editor.username}`;
    await signIn(page, OWNER);
    await page.goto('/admin/invitations');
    await page.getByLabel('Role').selectOption('moderator');
    await page.getByLabel('Note (who it is for)').fill(note);
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    await expect(page).toHaveURL('/admin/invitations');
    const link = await page.getByRole('textbox', { name: 'Invitation link' }).inputValue();
    expect(link).toMatch(/\/register\?invite=[A-Za-z0-9_-]{32}$/);
    await expect(page.getByRole('row', { name: new RegExp(note) })).toContainText('Open');

    const context = await newBrowserContext(browser, testInfo);
    const invited = await context.newPage();
    await invited.goto(link);
    await expect(invited.getByText('You have been invited to join as moderator.')).toBeVisible();
    await invited.getByLabel('Username').fill(editor.username);
    await invited.getByLabel('Email').fill(editor.email);
    await invited.getByLabel('Password').fill(editor.password);
    await invited.getByRole('button', { name: 'Sign up' }).click();
    await expect(invited).toHaveURL('/');
    await expect(navbar(invited).getByRole('link', { name: editor.username, exact: true })).toBeVisible();
    // a moderator: the administration is open to them
    await invited.goto('/admin');
    await expect(invited.getByRole('heading', { name: 'Administration' })).toBeVisible();
    await context.close();

    await page.reload();
    await expect(page.getByRole('row', { name: new RegExp(note) })).toContainText(`Used by ${editor.username}`);

    // the link works once
    const again = await newBrowserContext(browser, testInfo);
    const late = await again.newPage();
    await late.goto(link);
    await expect(late.getByRole('heading', { name: 'This invitation cannot be used' })).toBeVisible();
    await expect(late.getByText('has already been used')).toBeVisible();
    await again.close();
  } finally {
    await setRegistration(request, 'open');
  }
});
