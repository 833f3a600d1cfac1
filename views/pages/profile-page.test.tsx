import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { ArticleSummary, Profile } from '../../src/articles/queries';
import type { ProfileTab } from '../../src/paths';
import type { Viewer } from '../view-types';
import { ProfilePage } from './profile-page';

const bob: Profile = { id: 2, username: 'bob', bio: 'Writes about trees', image: null, following: false };

const article = (author: Profile): ArticleSummary => ({
  id: 7,
  slug: 'trees-of-the-north',
  title: 'Trees of the north',
  description: 'Pines, mostly',
  tagList: ['trees'],
  createdAt: new Date('2026-03-01T10:00:00Z'),
  updatedAt: new Date('2026-03-01T10:00:00Z'),
  hidden: null,
    publishedAt: new Date('2026-03-01T10:00:00Z'),
  readingMinutes: 2,
  coverImage: null,
  favorited: false,
  favoritesCount: 3,
  author,
});

async function render(props: { profile?: Profile; viewer: Viewer | null; tab?: ProfileTab; articles?: ArticleSummary[] }) {
  const page = (
    <ProfilePage
      profile={props.profile ?? bob}
      viewer={props.viewer}
      tab={props.tab ?? 'articles'}
      articles={props.articles ?? []}
      pages={{ current: 1, total: 1, href: (n) => `/profile/bob?page=${n}` }}
      here="/profile/bob"
    />
  );
  return parse(String(await page.toString()));
}

const tabs = (root: ReturnType<typeof parse>) =>
  root.querySelectorAll('.articles-toggle a.nav-link').map((a) => [a.text.trim(), a.getAttribute('href'), a.classList.contains('active')]);

describe('ProfilePage', () => {
  it("shows its owner a settings link and the Drafts tab, and no Follow button", async () => {
    const root = await render({ viewer: { id: bob.id, username: 'bob', image: null }, tab: 'drafts' });
    expect(root.querySelector('.user-info a[href="/settings"]')?.text).toContain('Edit Profile Settings');
    expect(root.querySelector('.user-info form')).toBeNull();
    expect(tabs(root)).toEqual([
      ['My Articles', '/profile/bob', false],
      ['Favorited Articles', '/profile/bob/favorites', false],
      ['Drafts', '/profile/bob/drafts', true],
    ]);
    expect(root.querySelector('.empty-feed-message')?.text).toContain('You have no drafts.');
  });

  it("shows anyone else a Follow form that comes back here, and no Drafts tab", async () => {
    const root = await render({ viewer: { id: 1, username: 'alice', image: null }, profile: { ...bob, following: true } });
    const form = root.querySelector('.user-info form');
    expect(form?.getAttribute('action')).toBe('/profile/bob/unfollow');
    expect(form?.querySelector('input[name="redirectTo"]')?.getAttribute('value')).toBe('/profile/bob');
    expect(form?.querySelector('button')?.text.replace(/\s+/g, ' ').trim()).toBe('Unfollow bob');
    expect(root.querySelector('a[href="/settings"]')).toBeNull();
    // someone else's articles are not "My Articles"
    expect(tabs(root)).toEqual([
      ['Articles', '/profile/bob', true],
      ['Favorited Articles', '/profile/bob/favorites', false],
    ]);
  });

  it('lists the articles as previews, or says the author has none', async () => {
    const listed = await render({ viewer: null, articles: [article(bob)] });
    expect(listed.querySelectorAll('.article-preview')).toHaveLength(1);
    expect(listed.querySelector('.article-preview a.preview-link')?.getAttribute('href')).toBe('/article/trees-of-the-north');
    expect(listed.querySelector('.empty-feed-message')).toBeNull();

    const empty = await render({ viewer: null, tab: 'favorites' });
    expect(empty.querySelectorAll('.article-preview')).toHaveLength(0);
    expect(empty.querySelector('.empty-feed-message')?.text).toContain('bob has not favorited any articles yet.');
  });
});
