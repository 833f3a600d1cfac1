import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ProfilePage } from '../../views/pages/profile-page';
import type { AppDeps } from '../app-types';
import { listArticles, listDrafts } from '../articles/queries';
import { requireUser } from '../auth/middleware';
import { backTo } from '../lib/back';
import { callerOf } from '../lib/caller';
import { readForm } from '../lib/form';
import { assertPageExists, PAGE_SIZE, pageCount, parsePage } from '../lib/pagination';
import { herePath } from '../lib/render';
import { profilePath, profileTabPath } from '../paths';
import { currentSite } from '../site/settings';
import { profileMeta } from '../seo/meta';
import type { Profile } from './queries';
import { findProfileNamed, followUser, unfollowUser } from './use-cases';

async function requireProfile(c: Context, deps: AppDeps): Promise<Profile> {
  return await findProfileNamed(deps, callerOf(c, 'web'), c.req.param('username') ?? '');
}

async function showDrafts(c: Context, deps: AppDeps) {
  const viewer = c.get('user');
  const profile = await requireProfile(c, deps);
  // one's drafts are one's own: for anyone else this page does not exist
  if (viewer?.id !== profile.id) throw new HTTPException(404, { message: 'There is nothing to see here.' });
  const articles = await listDrafts(deps.db, profile.id);
  return c.render(
    <ProfilePage profile={profile} viewer={viewer} tab="drafts" articles={articles} pages={{ current: 1, total: 1, href: () => '' }} here={herePath(c)} />,
    { title: 'Your drafts', meta: profileMeta(await currentSite(deps), profile, 'drafts', 1) },
  );
}

async function showProfile(c: Context, deps: AppDeps, tab: 'articles' | 'favorites') {
  const viewer = c.get('user');
  const profile = await requireProfile(c, deps);
  const page = parsePage(c);
  const filter = tab === 'articles' ? { author: profile.username } : { favoritedBy: profile.username };
  const { articles, total } = await listArticles(deps, {
    filter,
    viewerId: viewer?.id ?? null,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  assertPageExists(page, total);
  const base = profileTabPath(profile.username, tab);
  return c.render(
    <ProfilePage
      fragment={deps.fragment}
      profile={profile}
      viewer={viewer}
      tab={tab}
      articles={articles}
      pages={{ current: page, total: pageCount(total), href: (n) => `${base}?page=${n}` }}
      here={herePath(c)}
    />,
    {
      title: tab === 'articles' ? profile.username : `Favorited by ${profile.username}`,
      meta: profileMeta(await currentSite(deps), profile, tab, page),
    },
  );
}

export function profileRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/profile/:username', async (c) => await showProfile(c, deps, 'articles'));
  app.get('/profile/:username/favorites', async (c) => await showProfile(c, deps, 'favorites'));
  app.get('/profile/:username/drafts', async (c) => await showDrafts(c, deps));

  app.post('/profile/:username/follow', requireUser(), async (c) => {
    const profile = await followUser(deps, callerOf(c, 'web'), { username: c.req.param('username') });
    return c.redirect(backTo(await readForm(c), profilePath(profile.username)), 303);
  });

  app.post('/profile/:username/unfollow', requireUser(), async (c) => {
    const profile = await unfollowUser(deps, callerOf(c, 'web'), { username: c.req.param('username') });
    return c.redirect(backTo(await readForm(c), profilePath(profile.username)), 303);
  });

  return app;
}
