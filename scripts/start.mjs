// `npm start`: bundles src/cli.ts with esbuild (scripts/bundle.mjs, about a quarter of a second) and
// runs it on plain Node, so serving costs no TypeScript loader: no loader thread, no module hooks,
// the production JSX runtime. Nothing to build by hand; dependencies stay in node_modules.
//
// The bundling runs in a child process that exits before the server starts: esbuild's JavaScript
// side and the build's garbage (about 5 MB resident) never live in the server's process.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundled = spawnSync(process.execPath, [path.join(here, 'bundle.mjs')], { stdio: 'inherit' });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);
// one level below the root, so src/runtime.ts finds static/ and drizzle/ beside it as from source
await import(pathToFileURL(path.join(here, '..', '.quire', 'cli.mjs')).href);
