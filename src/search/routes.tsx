import { Hono } from 'hono';
import { SearchPage } from '../../views/pages/search-page';
import type { AppDeps } from '../app-types';
import { assertPageExists, PAGE_SIZE, pageCount, parsePage } from '../lib/pagination';
import { searchPath } from '../paths';
import { cleanQueryText, SEARCH_COUNT_MAX, searchArticles } from './queries';

export function searchRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/search', async (c) => {
    const page = parsePage(c);
    // longer text is cut, not refused: words past it would be ignored anyway
    const query = cleanQueryText(c.req.query('q') ?? '');
    const { results, total } =
      query === ''
        ? { results: [], total: 0 }
        : await searchArticles(deps.db, {
            query,
            viewerId: c.get('user')?.id ?? null,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
          });
    assertPageExists(page, total);
    return c.render(
      <SearchPage
        fragment={deps.fragment}
        query={query}
        results={results}
        total={total}
        capped={total >= SEARCH_COUNT_MAX}
        firstRank={(page - 1) * PAGE_SIZE + 1}
        pages={{ current: page, total: pageCount(total), href: (n) => `${searchPath(query)}&page=${n}` }}
      />,
      { title: query === '' ? 'Search' : `Search: ${query}` },
    );
  });

  return app;
}
