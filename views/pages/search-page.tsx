import { raw } from 'hono/html';
import type { SearchResult } from '../../src/search/queries';
import { Pagination, type PageLinks } from '../components/article-list';
import { articlePath, profilePath } from '../../src/paths';
import { TagList } from '../components/article-preview';
import { DateTime } from '../components/date';
import { Quoted } from '../components/typography';
import { imgAttributes, mediaImageOf } from '../../src/media/picture';
import type { Fragment } from '../view-types';

function SearchResultItem(props: { result: SearchResult }) {
  const { result } = props;
  const cover = mediaImageOf(result.coverImage);
  return (
    <li class="search-result">
      <h2 class="search-result-title">
        <a href={articlePath(result.slug)}>{result.title}</a>
      </h2>
      {/* decorative: the title beside it is the link */}
      {cover && <img class="preview-cover" alt="" {...imgAttributes(cover, 'preview')} />}
      <div class="search-result-meta">
        <a href={profilePath(result.author.username)} class="author">
          {result.author.username}
        </a>
        <DateTime class="date" date={result.publishedAt ?? result.updatedAt} />
      </div>
      {/* snippetToHtml escaped the article's text; only its <mark> elements are markup */}
      <p class="search-snippet">{raw(result.snippet)}</p>
      <TagList tags={result.tagList} />
    </li>
  );
}

function Summary(props: { query: string; total: number; capped: boolean }) {
  const count = props.capped ? `${props.total}+ articles match` : props.total === 1 ? '1 article matches' : `${props.total} articles match`;
  return (
    <p class="search-summary" role="status">
      {count} <Quoted>{props.query}</Quoted>, best matches first.
    </p>
  );
}

/** GET /search: the form, then results best first with the lists' pagination, or a message. */
export function SearchPage(props: {
  fragment?: Fragment;
  query: string;
  results: SearchResult[];
  total: number;
  /** the total stopped counting at its cap */
  capped: boolean;
  /** rank of the first result on this page (11 on page 2) */
  firstRank: number;
  pages: PageLinks;
}) {
  const { query } = props;
  return (
    <div class="search-page">
      <div class="container page">
        <h1>Search</h1>
        <form class="search-page-form" method="get" action="/search" role="search" aria-label="Search articles">
          <label for="search-query">Words to look for in titles, descriptions, articles and tags</label>
          <div class="search-page-row">
            <input id="search-query" class="form-control" type="search" name="q" value={query} />
            <button type="submit" class="btn btn-primary">
              Search
            </button>
          </div>
        </form>
        {query === '' ? (
          <p class="search-prompt">
            Type one or more words: articles holding all of them are shown, and the last word may be the start of a word
            (<Quoted>typesc</Quoted> finds <Quoted>TypeScript</Quoted>).
          </p>
        ) : props.results.length === 0 ? (
          <div class="empty-feed-message search-empty" role="status">
            No articles match <Quoted>{query}</Quoted>. Check the spelling, or try fewer or other words.
          </div>
        ) : (
          <>
            <Summary query={query} total={props.total} capped={props.capped} />
            <ol class="search-results" start={props.firstRank}>
              {props.results.map((result) => (
                <SearchResultItem result={result} />
              ))}
            </ol>
            <Pagination pages={props.pages} fragment={props.fragment} />
          </>
        )}
      </div>
    </div>
  );
}
