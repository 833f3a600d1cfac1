import { expect, test } from '@playwright/test';
import {
  addTag,
  articleBanner,
  editorTagPills,
  newBrowserContext,
  newUser,
  postArticle,
  publishArticle,
  signUp,
  slugOf,
  uniqueName,
  uniqueTitle,
} from './support';

test('an author can write an article with tags', async ({ page }, testInfo) => {
  await signUp(page, newUser(testInfo, 'author'));
  const title = uniqueTitle(testInfo, 'Tagged article');
  const tags = [uniqueName(testInfo, 'zeta'), uniqueName(testInfo, 'alpha'), uniqueName(testInfo, 'mid')];

  await page.goto('/editor');
  await page.getByPlaceholder('Article Title').fill(title);
  await page.getByPlaceholder("What's this article about?").fill('Tags and Markdown');
  await page.getByPlaceholder('Write your article (in markdown)').fill('Some **bold** words.\n\n- one\n- two');
  // each Enter adds a pill and never publishes (checked inside addTag)
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posts.push(request.url());
  });
  for (const tag of tags) await addTag(page, tag);
  // with JavaScript the pills are added in the page; without it, each Enter is a server round trip
  expect(posts).toHaveLength(testInfo.project.use.javaScriptEnabled === false ? tags.length : 0);
  await expect(editorTagPills(page)).toHaveText(tags);
  // what was typed before the tags is still there (without JS the server re-rendered the form)
  await expect(page.getByPlaceholder('Article Title')).toHaveValue(title);
  await expect(page.getByPlaceholder('Write your article (in markdown)')).toHaveValue('Some **bold** words.\n\n- one\n- two');

  await page.getByRole('button', { name: 'Publish Article' }).click();

  await expect(page).toHaveURL(`/article/${slugOf(title)}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  const content = page.locator('.article-content');
  await expect(content.locator('strong')).toHaveText('bold');
  await expect(content.getByRole('listitem').filter({ hasText: /^(one|two)$/ })).toHaveText(['one', 'two']);
  await expect(content).not.toContainText('**');
  await expect(content.locator('.tag-list .tag-pill')).toHaveText(tags);
});

test('an author can edit an article: new title, new slug, a tag removed, and the old link still works', async ({ page, browser }, testInfo) => {
  await signUp(page, newUser(testInfo, 'editor'));
  const title = uniqueTitle(testInfo, 'First draft');
  const tags = [uniqueName(testInfo, 'keep'), uniqueName(testInfo, 'drop'), uniqueName(testInfo, 'also')];
  await postArticle(page, testInfo, { title, description: 'Before', body: 'Draft body.', tags });
  await page.goto(`/article/${slugOf(title)}`);

  await articleBanner(page).getByRole('link', { name: 'Edit Article' }).click();
  await expect(page).toHaveURL(`/editor/${slugOf(title)}`);
  await expect(page.getByPlaceholder('Article Title')).toHaveValue(title);
  await expect(editorTagPills(page)).toHaveText(tags);

  const newTitle = uniqueTitle(testInfo, 'Final version');
  await page.getByPlaceholder('Article Title').fill(newTitle);
  await page.getByRole('button', { name: `Remove tag ${tags[1]}` }).click();
  await expect(editorTagPills(page)).toHaveText([tags[0]!, tags[2]!]);
  await expect(page.getByPlaceholder('Article Title')).toHaveValue(newTitle);
  await page.getByRole('button', { name: 'Publish Article' }).click();

  await expect(page).toHaveURL(`/article/${slugOf(newTitle)}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(newTitle);
  await expect(page.locator('.article-content .tag-list .tag-pill')).toHaveText([tags[0]!, tags[2]!]);

  // a reader following the old link lands on the renamed article (301)
  const reader = await newBrowserContext(browser, testInfo);
  const readerPage = await reader.newPage();
  const old = await readerPage.goto(`/article/${slugOf(title)}`);
  expect(old?.status()).toBe(200);
  expect(old?.request().redirectedFrom()?.url()).toMatch(new RegExp(`/article/${slugOf(title)}$`));
  await expect(readerPage).toHaveURL(`/article/${slugOf(newTitle)}`);
  await expect(readerPage.getByRole('heading', { level: 1 })).toHaveText(newTitle);
  await reader.close();
});

test('an author can delete an article', async ({ page }, testInfo) => {
  await signUp(page, newUser(testInfo, 'deleter'));
  const title = uniqueTitle(testInfo, 'Short lived');
  const slug = await publishArticle(page, { title, description: 'Soon gone', body: 'Bye.' });

  await articleBanner(page).getByRole('button', { name: 'Delete Article' }).click();
  // a confirmation page first, JavaScript or not (issue #16)
  await expect(page).toHaveURL(new RegExp(`/article/${slug}/delete\\??$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delete this article?');
  await page.getByRole('button', { name: 'Delete Article' }).click();

  await expect(page).toHaveURL('/');
  await expect(page.getByRole('link', { name: title })).toHaveCount(0);
  // its address says it is gone for good (410), and is never given to another article
  const gone = await page.goto(`/article/${slug}`);
  expect(gone?.status()).toBe(410);
});
