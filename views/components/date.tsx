const FORMAT = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});

const DAY_MS = 86_400_000;
/** Intl formatting costs a few microseconds a call; a blog's dates fall on a few thousand days. */
const byDay = new Map<number, string>();

export function formatDate(date: Date): string {
  const day = Math.floor(date.getTime() / DAY_MS);
  let text = byDay.get(day);
  if (text === undefined) {
    text = FORMAT.format(date);
    byDay.set(day, text);
  }
  return text;
}

export function DateTime(props: { date: Date; class?: string }) {
  return (
    <time class={props.class} datetime={props.date.toISOString()}>
      {formatDate(props.date)}
    </time>
  );
}
