// Bundles src/cli.ts with esbuild into .quire/cli.mjs for `npm start` (scripts/start.mjs runs this
// in a child process, then imports the result), and the worker thread's code (src/lib/offthread.ts)
// beside it, where src/runtime.ts looks for it. Unminified, so stack traces stay readable without a
// source map (which costs memory to hold); dependencies stay external, in node_modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * src/media/s3-sdk.ts only re-exports the S3 client, loaded on first use (src/runtime.ts
 * loadS3Sdk). Bundled, its re-export would become a static import at the top of the bundle and load
 * the SDK (about 10 MB resident) at every start; as the package itself, the import stays lazy.
 */
const s3SdkLazy = {
  name: 's3-sdk-lazy',
  setup(b) {
    b.onResolve({ filter: /^\.\/media\/s3-sdk$/ }, () => ({ path: '@aws-sdk/client-s3', external: true }));
  },
};

await build({
  entryPoints: { cli: path.join(root, 'src', 'cli.ts'), 'offthread-worker': path.join(root, 'src', 'lib', 'offthread-worker.ts') },
  outdir: path.join(root, '.quire'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: path.join(root, 'tsconfig.json'),
  logLevel: 'warning',
  plugins: [s3SdkLazy],
});
// esbuild's service (a Go process of about 25 MB) would otherwise keep this process alive
await stop();
