/** How the audit log and the report queue name a comment: the start of its text, on one line. */
export const EXCERPT_LENGTH = 80;

export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}...`;
}
