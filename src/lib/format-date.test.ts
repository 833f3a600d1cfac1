import { describe, expect, it } from 'vitest';
import { formatDate } from '../../views/components/date';

// views/components/date.tsx formats without Intl (ICU's data costs idle memory); here Intl says
// what the text must be. (The test sits in src/ because vitest runs src/**/*.test.ts.)
const INTL = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

describe('formatDate', () => {
  it('gives what Intl en-US gives, in UTC', async () => {
    const dates = [
      '2026-11-21T00:00:00.000Z',
      '2024-02-26T12:25:30.452Z',
      '2024-02-29T23:59:59.999Z', // leap day, last millisecond
      '2024-03-01T00:00:00.000Z',
      '2023-12-31T23:59:59.999Z', // year boundary
      '2024-01-01T00:00:00.000Z',
      '2025-01-09T05:00:00.000Z', // single-digit day
      '2025-09-30T18:30:00.000Z',
      '2025-10-01T00:00:00.000Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z', // before the epoch
      '2000-02-29T12:00:00.000Z',
      '1999-07-04T00:00:00.000Z',
      '0099-03-05T00:00:00.000Z', // short year, not padded
      '0000-01-01T00:00:00.000Z', // year 0 and before: no era, as Intl
      '-000001-06-01T00:00:00.000Z',
      '+012345-03-05T00:00:00.000Z',
    ];
    for (const iso of dates) {
      const date = new Date(iso);
      expect(formatDate(date), iso).toBe(INTL.format(date));
    }
    expect(formatDate(new Date('2026-11-21T08:00:00Z'))).toBe('November 21, 2026');
  });

  it('gives what Intl gives for every day of 2023 and 2024, at noon and just before midnight', async () => {
    for (let day = Date.UTC(2023, 0, 1); day < Date.UTC(2025, 0, 1); day += 86_400_000) {
      for (const date of [new Date(day + 43_200_000), new Date(day + 86_399_999)]) {
        expect(formatDate(date)).toBe(INTL.format(date));
      }
    }
  });

  it('throws on an invalid date, as Intl does', async () => {
    expect(() => INTL.format(new Date(NaN))).toThrow(RangeError);
    expect(() => formatDate(new Date(NaN))).toThrow(RangeError);
  });
});
