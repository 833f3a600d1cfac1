const FORMAT = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});

export function formatDate(date: Date): string {
  return FORMAT.format(date);
}

export function DateTime(props: { date: Date; class?: string }) {
  return (
    <time class={props.class} datetime={props.date.toISOString()}>
      {formatDate(props.date)}
    </time>
  );
}
