import { escapeToBuffer } from 'hono/utils/html';

/** Text or an attribute value for hand-written HTML, escaped exactly as hono/jsx escapes it. */
export function escapeHtml(text: string): string {
  const buffer = [''];
  escapeToBuffer(text, buffer);
  return buffer[0]!;
}
