// `npm start`: bundles src/cli.ts with esbuild (about a quarter of a second) and runs it on plain
// Node, so serving costs no TypeScript loader: no loader thread, no module hooks, the production
// JSX runtime. Nothing to build by hand; dependencies stay in node_modules (packages: external).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// one level below the root, so src/runtime.ts finds static/ and drizzle/ beside it as from source
const outfile = path.join(root, '.quire', 'cli.mjs');

await build({
  entryPoints: [path.join(root, 'src', 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: path.join(root, 'tsconfig.json'),
  logLevel: 'warning',
  // unminified, so stack traces stay readable without a source map (which costs memory to hold)
});
// esbuild's service (a Go process of about 25 MB) would otherwise live as long as the server
await stop();
await import(pathToFileURL(outfile).href);
