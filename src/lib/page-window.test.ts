import { describe, expect, it } from 'vitest';
import { pageWindow } from '../../views/components/article-list';

/** The first version, which looked at every page: the one that walks only the window must agree. */
function everyPageWindow(current: number, total: number, radius = 3): Array<number | null> {
  const pages: Array<number | null> = [];
  for (let page = 1; page <= total; page++) {
    if (page === 1 || page === total || Math.abs(page - current) <= radius) pages.push(page);
    else if (pages[pages.length - 1] !== null) pages.push(null);
  }
  return pages;
}

describe('pageWindow', () => {
  it('shows the first, the last and the pages around the current one, with a gap marker between', async () => {
    expect(pageWindow(1, 1000)).toEqual([1, 2, 3, 4, null, 1000]);
    expect(pageWindow(50, 1000)).toEqual([1, null, 47, 48, 49, 50, 51, 52, 53, null, 1000]);
    expect(pageWindow(5, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('agrees with looking at every page', async () => {
    for (let total = 0; total <= 40; total++) {
      for (let current = -2; current <= total + 5; current++) {
        for (let radius = 0; radius <= 4; radius++) {
          expect(pageWindow(current, total, radius), `${current}/${total} r${radius}`).toEqual(everyPageWindow(current, total, radius));
        }
      }
    }
  });
});
