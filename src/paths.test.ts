import { describe, expect, it } from 'vitest';
import { articlePath, feedPath, profilePath, profileTabPath, tagPath, withPage } from './paths';
import { createTestApp, insertArticle, insertUser } from './test-support';

describe('paths', () => {
  it('keep a slug, a username or a tag in one path segment, so the router reads back what was written', async () => {
    const t = await createTestApp();
    const author = await insertUser(t.db, 'bob');
    const tag = 'c# / go? 100%';
    const { slug } = await insertArticle(t.db, author.id, { title: 'Notes', tagList: [tag] });

    expect(tagPath(tag)).toBe('/tag/c%23%20%2F%20go%3F%20100%25');
    const tagPage = await t.app.request(tagPath(tag));
    expect(tagPage.status).toBe(200);
    expect(await tagPage.text()).toContain(`<a href="${articlePath(slug)}" class="preview-link">`);
    expect((await t.app.request(feedPath({ kind: 'tag', tag }, 'atom'))).status).toBe(200);
    expect((await t.app.request(profileTabPath('bob', 'favorites'))).status).toBe(200);
    expect(profileTabPath('bob', 'articles')).toBe(profilePath('bob'));
  });

  it('leave page 1 as the page itself and add ?page=N or &page=N after', async () => {
    expect(withPage('/', 1)).toBe('/');
    expect(withPage('/', 2)).toBe('/?page=2');
    expect(withPage('/?feed=following', 3)).toBe('/?feed=following&page=3');
  });
});
