import type { Child } from 'hono/jsx';
import type { ArticleSummary } from '../../src/articles/queries';
import { ArticlePreview } from './article-preview';

export type PageLinks = { current: number; total: number; href: (page: number) => string };

/** Which page numbers to show: the first, the last, and a window around the current one. */
export function pageWindow(current: number, total: number, radius = 3): Array<number | null> {
  const pages: Array<number | null> = [];
  for (let page = 1; page <= total; page++) {
    if (page === 1 || page === total || Math.abs(page - current) <= radius) pages.push(page);
    else if (pages[pages.length - 1] !== null) pages.push(null);
  }
  return pages;
}

export function Pagination(props: { pages: PageLinks }) {
  const { current, total, href } = props.pages;
  if (total <= 1) return null;
  return (
    <nav aria-label="Pages">
      <ul class="pagination">
        {pageWindow(current, total).map((page) =>
          page === null ? (
            <li class="page-item disabled" aria-hidden="true">
              <span class="page-link">…</span>
            </li>
          ) : (
            <li class={page === current ? 'page-item active' : 'page-item'}>
              <a class="page-link" href={href(page)} aria-current={page === current ? 'page' : undefined}>
                {page}
              </a>
            </li>
          ),
        )}
      </ul>
    </nav>
  );
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
}) {
  if (props.articles.length === 0) return <div class="empty-feed-message">{props.empty}</div>;
  const { preview } = props;
  return (
    <>
      {props.articles.map((article) => (preview ? preview(article) : <ArticlePreview article={article} here={props.here} />))}
      <Pagination pages={props.pages} />
    </>
  );
}
