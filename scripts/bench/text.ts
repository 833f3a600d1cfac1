import type { Rng } from './random';

/** Realistic-looking blog text: the pages must weigh what real ones do. */

export const TAG_NAMES = [
  'javascript', 'typescript', 'node', 'sqlite', 'webdev', 'programming', 'css', 'html', 'react', 'rust',
  'go', 'python', 'databases', 'performance', 'security', 'testing', 'devops', 'linux', 'docker', 'career',
  'beginners', 'tutorial', 'opensource', 'architecture', 'api', 'http', 'accessibility', 'design', 'git', 'cloud',
  'kubernetes', 'postgres', 'caching', 'observability', 'logging', 'markdown', 'writing', 'productivity', 'tooling', 'vim',
  'emacs', 'shell', 'networking', 'algorithms', 'datastructures', 'functional', 'compilers', 'wasm', 'browsers', 'mobile',
  'ux', 'startups', 'hiring', 'remote', 'ethics', 'ai', 'books', 'history', 'hardware', 'retro',
] as const;

const FIRST_NAMES = [
  'ada', 'alan', 'grace', 'linus', 'barbara', 'ken', 'dennis', 'margaret', 'edsger', 'donald', 'frances', 'john',
  'radia', 'tim', 'guido', 'bjarne', 'anita', 'niklaus', 'sophie', 'yukihiro', 'katherine', 'hedy', 'brian', 'joan',
];
const LAST_NAMES = [
  'lovelace', 'turing', 'hopper', 'torvalds', 'liskov', 'thompson', 'ritchie', 'hamilton', 'dijkstra', 'knuth',
  'allen', 'backus', 'perlman', 'berners', 'rossum', 'stroustrup', 'borg', 'wirth', 'wilson', 'matsumoto',
];

const WORDS = (
  'the a an of to in for with on and but or because while when every each most some this that these those ' +
  'server request response cache page query index table row column schema migration transaction lock write read ' +
  'latency throughput memory process thread event loop callback promise stream buffer socket header cookie session ' +
  'token user reader author article comment tag feed profile template component render layout style test build ' +
  'deploy release binary module package function value type error log metric trace budget limit queue worker ' +
  'simple fast small careful honest boring reliable predictable slow large subtle surprising useful tiny obvious ' +
  'makes keeps turns runs takes gives needs shows finds moves breaks fixes measures checks returns avoids holds ' +
  'we you it they nobody everyone sometimes usually rarely always never again first then later finally still'
).split(' ');

const TITLE_TEMPLATES = [
  'On {verb} {noun} with {tag}',
  'Why {noun} is {adj} in {tag}',
  'A {adj} guide to {noun}',
  'What I learned from {verb} {noun}',
  '{tag} {noun}: the {adj} parts',
  'Stop {verb} {noun}',
  'Notes on {noun} and {noun2}',
  'The {adj} {noun} I wish I had known about',
  'Ten years of {tag}',
  '{verb} {noun} without {noun2}',
];
const TITLE_NOUNS = ['caches', 'indexes', 'sessions', 'migrations', 'templates', 'queues', 'logs', 'tests', 'builds', 'servers', 'feeds', 'forms', 'cookies', 'queries', 'releases'];
const TITLE_VERBS = ['measuring', 'shipping', 'debugging', 'scaling', 'testing', 'rewriting', 'deleting', 'caching', 'profiling', 'designing'];
const TITLE_ADJS = ['boring', 'hard', 'honest', 'surprising', 'practical', 'small', 'fast', 'forgotten', 'useful', 'quiet'];

const CODE_SNIPPETS = [
  "```ts\nexport function findArticle(db: Db, slug: string) {\n  return db.select().from(articles).where(eq(articles.slug, slug)).get();\n}\n```",
  "```sql\nselect a.id, a.title, count(f.user_id) as favorites\nfrom articles a left join favorites f on f.article_id = a.id\ngroup by a.id order by a.created_at desc limit 10;\n```",
  "```sh\n$ npm run build\n$ ./dist/quire migrate && ./dist/quire serve\n```",
  "```js\nconst cache = new Map();\nfunction memo(key, compute) {\n  if (!cache.has(key)) cache.set(key, compute());\n  return cache.get(key);\n}\n```",
  "```go\nfunc handler(w http.ResponseWriter, r *http.Request) {\n\tw.Header().Set(\"Content-Type\", \"text/plain\")\n\tfmt.Fprintln(w, \"hello\")\n}\n```",
];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function sentence(rng: Rng, minWords = 8, maxWords = 20): string {
  const words: string[] = [];
  const n = rng.between(minWords, maxWords);
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  if (rng.chance(0.15)) words[rng.int(words.length)] = `\`${rng.pick(TITLE_NOUNS)}\``;
  if (rng.chance(0.1)) words[rng.int(words.length)] = `**${rng.pick(TITLE_ADJS)}**`;
  return `${capitalise(words.join(' '))}${rng.pick(['.', '.', '.', '?', '!'])}`;
}

function paragraph(rng: Rng): string {
  const sentences: string[] = [];
  const n = rng.between(3, 6);
  for (let i = 0; i < n; i++) sentences.push(sentence(rng));
  return sentences.join(' ');
}

export function username(rng: Rng, index: number): string {
  return `${rng.pick(FIRST_NAMES)}${capitalise(rng.pick(LAST_NAMES))}${index + 1}`;
}

export function bio(rng: Rng): string | null {
  return rng.chance(0.7) ? sentence(rng, 6, 14) : null;
}

export function title(rng: Rng, tag: string): string {
  const text = rng
    .pick(TITLE_TEMPLATES)
    .replace('{verb}', rng.pick(TITLE_VERBS))
    .replace('{noun2}', rng.pick(TITLE_NOUNS))
    .replace('{noun}', rng.pick(TITLE_NOUNS))
    .replace('{adj}', rng.pick(TITLE_ADJS))
    .replace('{tag}', tag);
  return capitalise(text);
}

export function description(rng: Rng): string {
  return sentence(rng, 10, 18);
}

/** A few paragraphs of Markdown, 1.5-3 KB, sometimes with a heading, a list or a code block. */
export function markdownBody(rng: Rng): string {
  const targetLength = rng.between(1500, 3000);
  const parts: string[] = [paragraph(rng)];
  let length = parts[0]!.length;
  const push = (part: string) => {
    parts.push(part);
    length += part.length + 2;
  };
  while (length < targetLength) {
    const roll = rng.next();
    if (roll < 0.1) push(`## ${capitalise(rng.pick(TITLE_VERBS))} ${rng.pick(TITLE_NOUNS)}`);
    else if (roll < 0.18) push(['- ', '- ', '- '].map((bullet) => bullet + sentence(rng, 4, 9)).join('\n'));
    else if (roll < 0.26) push(rng.pick(CODE_SNIPPETS));
    else if (roll < 0.3) push(`> ${sentence(rng)}`);
    else push(paragraph(rng));
  }
  const body = parts.join('\n\n');
  // trim at a paragraph boundary when the last part overshot by a lot
  return body.length > 3000 ? body.slice(0, body.lastIndexOf('\n\n', 3000)) || body.slice(0, 3000) : body;
}

export function commentBody(rng: Rng): string {
  const n = rng.between(1, 3);
  const sentences: string[] = [];
  for (let i = 0; i < n; i++) sentences.push(sentence(rng, 5, 18));
  return sentences.join(' ');
}
