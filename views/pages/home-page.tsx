import type { Child } from 'hono/jsx';
import type { ArticleSummary } from '../../src/articles/queries';
import { FOLLOWING_FEED_PATH, tagPath } from '../../src/paths';
import { ArticleList, type PageLinks, type PreviewOf } from '../components/article-list';
import { Quoted } from '../components/typography';
import { renderEveryTime, type Fragment, type Viewer } from '../view-types';

export type HomeTab = { kind: 'global' } | { kind: 'feed' } | { kind: 'tag'; tag: string };

function EmptyMessage(props: { tab: HomeTab; viewer: Viewer | null }) {
  if (props.tab.kind === 'feed') {
    return (
      <>
        Your feed is empty. Follow some authors, or read the <a href="/">Global Feed</a>.
      </>
    );
  }
  if (props.tab.kind === 'tag') return <>No articles are tagged <Quoted>{props.tab.tag}</Quoted> yet.</>;
  // the invitation links elsewhere than the navbar's /login, /register and /editor (see pages.md)
  return props.viewer ? (
    <>
      No articles are here yet. <a href="/editor?from=home">Write the first one</a>.
    </>
  ) : (
    <>
      No articles are here yet. <a href="/register?from=home">Create an account</a> and write the first one.
    </>
  );
}

/**
 * "Popular Tags": the same on every list page and for every reader, so the route renders it once
 * per content version and hands it to HomePage as HTML.
 */
export function TagSidebar(props: { tags: string[] }) {
  return (
    <div class="sidebar" role="complementary" aria-labelledby="popular-tags">
      <p id="popular-tags">Popular Tags</p>
      <div class="tag-list">
        {props.tags.length === 0 ? (
          <span class="no-tags">No tags yet.</span>
        ) : (
          props.tags.map((tag) => (
            <a href={tagPath(tag)} class="tag-pill tag-default">
              {tag}
            </a>
          ))
        )}
      </div>
    </div>
  );
}

function HomeBanner(props: { siteName: string; siteDescription: string }) {
  return (
    <div class="banner">
      <div class="container">
        <h1 class="logo-font">{props.siteName}</h1>
        <p>{props.siteDescription}</p>
      </div>
    </div>
  );
}

function FeedToggle(props: { signedIn: boolean; tab: HomeTab }) {
  return (
    <div class="feed-toggle">
      <ul class="nav nav-pills outline-active">
        {props.signedIn && (
          <li class="nav-item">
            <a class={props.tab.kind === 'feed' ? 'nav-link active' : 'nav-link'} href={FOLLOWING_FEED_PATH}>
              Your Feed
            </a>
          </li>
        )}
        <li class="nav-item">
          <a class={props.tab.kind === 'global' ? 'nav-link active' : 'nav-link'} href="/">
            Global Feed
          </a>
        </li>
        {props.tab.kind === 'tag' && (
          <li class="nav-item">
            <a class="nav-link active" href={tagPath(props.tab.tag)}>
              # {props.tab.tag}
            </a>
          </li>
        )}
      </ul>
    </div>
  );
}

/*
 * The banner and the feed tabs depend only on the site, whether someone is signed in and the tab:
 * fragments, rendered once per variant by the app.
 */
function homeBanner(fragment: Fragment, siteName: string, siteDescription: string) {
  return fragment(JSON.stringify(['banner', siteName, siteDescription]), () => (
    <HomeBanner siteName={siteName} siteDescription={siteDescription} />
  ));
}

function feedToggle(fragment: Fragment, signedIn: boolean, tab: HomeTab) {
  const key = JSON.stringify(['tabs', signedIn, tab.kind, tab.kind === 'tag' ? tab.tag : '']);
  return fragment(key, () => <FeedToggle signedIn={signedIn} tab={tab} />);
}

export function HomePage(props: {
  siteName: string;
  siteDescription: string;
  viewer: Viewer | null;
  tab: HomeTab;
  articles: ArticleSummary[];
  pages: PageLinks;
  /** the rendered <TagSidebar> */
  sidebar: Child;
  here: string;
  /** the previews, when the route has them rendered */
  preview?: PreviewOf;
  fragment?: Fragment;
}) {
  const { tab } = props;
  const fragment = props.fragment ?? renderEveryTime;
  return (
    <div class="home-page">
      {homeBanner(fragment, props.siteName, props.siteDescription)}
      <div class="container page">
        <div class="row">
          <div class="col-md-9">
            {feedToggle(fragment, props.viewer !== null, tab)}
            <ArticleList
              articles={props.articles}
              pages={props.pages}
              here={props.here}
              preview={props.preview}
              fragment={fragment}
              empty={<EmptyMessage tab={tab} viewer={props.viewer} />}
            />
          </div>
          <div class="col-md-3">
            {props.sidebar}
          </div>
        </div>
      </div>
    </div>
  );
}
