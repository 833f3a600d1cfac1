/**
 * Baseline (b): hono + @hono/node-server + hono/jsx rendering, on every request, a page with a
 * list of items sized to TARGET_BYTES (Quire's signed-in home page). No database, no session, no
 * middleware: what rendering a page that size costs by itself. Signed-in pages and the API are
 * measured against it.
 *
 * Env: PORT, TARGET_BYTES. Answers every path.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

type Item = { slug: string; title: string; description: string; author: string; date: string; favorites: number; tags: string[] };

const port = Number(process.env.PORT);
const targetBytes = Number(process.env.TARGET_BYTES) || 20_000;

const makeItem = (i: number): Item => ({
  slug: `a-reasonably-long-article-title-number-${i}`,
  title: `A reasonably long article title, number ${i}`,
  description: `What this article is about, in a sentence of about the usual length for item ${i}.`,
  author: `author${i % 37}`,
  date: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
  favorites: (i * 7) % 50,
  tags: ['javascript', 'node', 'sqlite'].slice(0, 1 + (i % 3)),
});

function Preview({ item }: { item: Item }) {
  return (
    <div class="article-preview">
      <div class="article-meta">
        <a href={`/profile/${item.author}`}>
          <img src="/default-avatar.svg" alt={item.author} width="32" height="32" />
        </a>
        <div class="info">
          <a href={`/profile/${item.author}`} class="author">{item.author}</a>
          <time class="date" datetime={item.date}>{item.date.slice(0, 10)}</time>
        </div>
        <form method="post" action={`/article/${item.slug}/favorite`} class="pull-xs-right">
          <input type="hidden" name="redirectTo" value="/" />
          <button type="submit" class="btn btn-sm btn-outline-primary" aria-label={`Favorite article (${item.favorites} favorites)`}>
            <i class="ion-heart" aria-hidden="true"></i> {item.favorites}
          </button>
        </form>
      </div>
      <a href={`/article/${item.slug}`} class="preview-link">
        <h1>{item.title}</h1>
        <p>{item.description}</p>
        <span>Read more...</span>
        <ul class="tag-list">
          {item.tags.map((tag) => (
            <li class="tag-default tag-pill tag-outline">{tag}</li>
          ))}
        </ul>
      </a>
    </div>
  );
}

function Page({ items }: { items: Item[] }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Baseline</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        <header>
          <nav class="navbar">
            <a class="navbar-brand" href="/">Baseline</a>
          </nav>
        </header>
        <main id="main">
          {items.map((item) => (
            <Preview item={item} />
          ))}
        </main>
      </body>
    </html>
  );
}

const render = (items: Item[]) => `<!DOCTYPE html>${(<Page items={items} />).toString()}`;

/** As many items as bring the page to about targetBytes. */
function itemsForTarget(): Item[] {
  const sample = Array.from({ length: 20 }, (_, i) => makeItem(i));
  const empty = Buffer.byteLength(render([]));
  const perItem = (Buffer.byteLength(render(sample)) - empty) / sample.length;
  const n = Math.max(1, Math.round((targetBytes - empty) / perItem));
  return Array.from({ length: n }, (_, i) => makeItem(i));
}

const items = itemsForTarget();
const app = new Hono();
app.get('*', (c) => c.html(render(items)));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
