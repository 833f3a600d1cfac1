import type { HtmlEscapedString } from 'hono/utils/html';
import { escapeToBuffer } from 'hono/utils/html';

/**
 * Text or an attribute value for hand-written HTML, escaped exactly as hono/jsx escapes it; like
 * hono/jsx, a value marked as HTML already (hono's raw()) is written as it is.
 */
export function escapeHtml(text: string): string {
  if ((text as Partial<HtmlEscapedString>).isEscaped) return String(text);
  const buffer = [''];
  escapeToBuffer(text, buffer);
  return buffer[0]!;
}
