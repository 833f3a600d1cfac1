import type { Child } from 'hono/jsx';
import type { ArticleSummary } from '../../src/articles/queries';
import { ArticlePreview } from './article-preview';
import { renderEveryTime, type Fragment } from '../view-types';
import { ELLIPSIS } from './typography';

export type PageLinks = { current: number; total: number; href: (page: number) => string };

/** Which page numbers to show: the first, the last, and a window around the current one. */
export function pageWindow(current: number, total: number, radius = 3): Array<number | null> {
  // only the window is walked, not every page: a 10 000-article blog has 1 000 of them
  const pages: Array<number | null> = [];
  const push = (page: number) => {
    if (pages.length > 0 && page > (pages[pages.length - 1] as number) + 1) pages.push(null);
    pages.push(page);
  };
  if (total >= 1) push(1);
  for (let page = Math.max(2, current - radius); page <= Math.min(total - 1, current + radius); page++) push(page);
  if (total >= 2) push(total);
  return pages;
}

function PaginationLinks(props: { current: number; pages: Array<number | null>; hrefs: string[] }) {
  const { current } = props;
  return (
    <nav aria-label="Pages">
      <ul class="pagination">
        {props.pages.map((page, index) =>
          page === null ? (
            <li class="page-item disabled" aria-hidden="true">
              <span class="page-link">{ELLIPSIS}</span>
            </li>
          ) : (
            <li class={page === current ? 'page-item active' : 'page-item'}>
              <a class="page-link" href={props.hrefs[index]} aria-current={page === current ? 'page' : undefined}>
                {page}
              </a>
            </li>
          ),
        )}
      </ul>
    </nav>
  );
}

/**
 * Readers move between the same few list pages, so each set of links is a fragment: its key holds
 * every page number and address shown.
 */
export function Pagination(props: { pages: PageLinks; fragment?: Fragment }) {
  const { current, total, href } = props.pages;
  if (total <= 1) return null;
  const pages = pageWindow(current, total);
  const hrefs = pages.map((page) => (page === null ? '' : href(page)));
  const key = JSON.stringify([current, pages, hrefs]);
  return (props.fragment ?? renderEveryTime)(`pages:${key}`, () => <PaginationLinks current={current} pages={pages} hrefs={hrefs} />);
}

/** An article's preview on this page, as the route may already have it rendered. */
export type PreviewOf = (article: ArticleSummary) => Child;

export function ArticleList(props: {
  articles: ArticleSummary[];
  pages: PageLinks;
  here: string;
  empty: Child;
  /** the previews, when the route has them (else rendered here) */
  preview?: PreviewOf;
  fragment?: Fragment;
}) {
  if (props.articles.length === 0) return <div class="empty-feed-message">{props.empty}</div>;
  const { preview } = props;
  return (
    <>
      {props.articles.map((article, index) =>
        preview ? preview(article) : <ArticlePreview article={article} here={props.here} first={index === 0} />,
      )}
      <Pagination pages={props.pages} fragment={props.fragment} />
    </>
  );
}
