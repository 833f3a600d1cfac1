import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one module that knows where Quire's files live. In the source layout they sit beside src/;
 * the release binary (a later step) will point these at its extracted assets instead.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const paths = {
  root: ROOT,
  migrations: path.join(ROOT, 'drizzle'),
  static: path.join(ROOT, 'static'),
};
