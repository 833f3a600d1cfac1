import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

/** A page the owner or an admin wrote (About, Terms...): its title and its rendered Markdown. */
export function SitePage(props: { title: string; html: string; children?: Child }) {
  return (
    <div class="container page site-page">
      <h1>{props.title}</h1>
      <div class="page-body">{raw(props.html)}</div>
      {props.children}
    </div>
  );
}

/** The line /about adds under its text: how many people write here. */
export function SiteCounts(props: { counts: { authors: number; articles: number } }) {
  const { authors, articles } = props.counts;
  return (
    <p class="site-counts">
      {authors} {authors === 1 ? 'person has' : 'people have'} written {articles} {articles === 1 ? 'article' : 'articles'} here so far.
    </p>
  );
}
