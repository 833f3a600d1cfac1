/**
 * Plain English month names, not Intl: the first Intl.DateTimeFormat makes Node page in ICU's
 * locale data, about 6.5 MB of idle memory, for a format this simple.
 */
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * "November 21, 2026", in UTC: the text Intl.DateTimeFormat('en-US', { year: 'numeric', month:
 * 'long', day: 'numeric', timeZone: 'UTC' }) gives (date.test.ts compares the two). Like Intl, an
 * invalid date is a RangeError, and a year before 1 is shown without an era (year 0 is "1").
 */
export function formatDate(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid time value');
  const year = date.getUTCFullYear();
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${year > 0 ? year : 1 - year}`;
}

export function DateTime(props: { date: Date; class?: string }) {
  return (
    <time class={props.class} datetime={props.date.toISOString()}>
      {formatDate(props.date)}
    </time>
  );
}
