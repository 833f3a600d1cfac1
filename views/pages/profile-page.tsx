import type { ArticleSummary, Profile } from '../../src/articles/queries';
import { followActionPath, profilePath, profileTabPath, type ProfileTab } from '../../src/paths';
import { ArticleList, type PageLinks } from '../components/article-list';
import { RedirectTo } from '../components/article-preview';
import { Avatar } from '../components/avatar';
import { DateTime } from '../components/date';
import type { Fragment, Viewer } from '../view-types';

/** Shown to moderators and up only: to anyone else a suspended account's profile does not exist. */
export type ProfileSuspension = { until: Date | null; reason: string | null };

export function ProfilePage(props: {
  fragment?: Fragment;
  profile: Profile & { suspension?: ProfileSuspension | null };
  viewer: Viewer | null;
  tab: ProfileTab;
  articles: ArticleSummary[];
  pages: PageLinks;
  here: string;
}) {
  const { profile, tab } = props;
  const own = props.viewer?.id === profile.id;
  return (
    <div class="profile-page">
      <div class="user-info">
        <div class="container">
          <div class="row">
            <div class="col-xs-12 col-md-10 offset-md-1">
              <Avatar image={profile.image} class="user-img" size={100} />
              <h4>{profile.username}</h4>
              <p>{profile.bio ?? ''}</p>
              {profile.suspension && (
                <p class="profile-suspended" role="status">
                  Suspended {profile.suspension.until ? <>until <DateTime date={profile.suspension.until} /></> : 'for good'}:{' '}
                  {profile.suspension.reason ?? 'no reason was given'}
                </p>
              )}
              {own ? (
                <a href="/settings" class="btn btn-sm btn-outline-secondary action-btn">
                  <i class="ion-gear-a" aria-hidden="true"></i>
                  &nbsp;Edit Profile Settings
                </a>
              ) : (
                <form method="post" action={followActionPath(profile.username, profile.following)}>
                  <RedirectTo here={props.here} />
                  <button
                    type="submit"
                    class={`btn btn-sm action-btn ${profile.following ? 'btn-secondary' : 'btn-outline-secondary'}`}
                  >
                    <i class="ion-plus-round" aria-hidden="true"></i>
                    &nbsp;{profile.following ? 'Unfollow' : 'Follow'} {profile.username}
                  </button>
                </form>
              )}
              {props.viewer && !own && (
                <a href={`${profilePath(profile.username)}/report`} class="report-link">
                  Report profile
                </a>
              )}
            </div>
          </div>
        </div>
      </div>
      <div class="container">
        <div class="row">
          <div class="col-xs-12 col-md-10 offset-md-1">
            <div class="articles-toggle">
              <ul class="nav nav-pills outline-active">
                <li class="nav-item">
                  <a class={tab === 'articles' ? 'nav-link active' : 'nav-link'} href={profileTabPath(profile.username, 'articles')}>
                    {/* "My" only on one's own profile (issue #13; pages.md's Conduit wording is for the owner) */}
                    {own ? 'My Articles' : 'Articles'}
                  </a>
                </li>
                <li class="nav-item">
                  <a class={tab === 'favorites' ? 'nav-link active' : 'nav-link'} href={profileTabPath(profile.username, 'favorites')}>
                    Favorited Articles
                  </a>
                </li>
                {own && (
                  <li class="nav-item">
                    <a class={tab === 'drafts' ? 'nav-link active' : 'nav-link'} href={profileTabPath(profile.username, 'drafts')}>
                      Drafts
                    </a>
                  </li>
                )}
              </ul>
            </div>
            <ArticleList
              articles={props.articles}
              pages={props.pages}
              fragment={props.fragment}
              here={props.here}
              empty={
                tab === 'articles'
                  ? `${profile.username} has not written any articles yet.`
                  : tab === 'favorites'
                    ? `${profile.username} has not favorited any articles yet.`
                    : 'You have no drafts. "Save draft" in the editor keeps an article to yourself until you publish it.'
              }
            />
          </div>
        </div>
      </div>
    </div>
  );
}
