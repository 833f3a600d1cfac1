import { raw } from 'hono/html';
import { HEAD_START, titleTag, voidTag } from '../components/head-meta';

export type ApiOperation = {
  tag: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  auth: 'required' | 'optional' | 'none';
  parameters: string[];
  body: string | null;
  statuses: string[];
};

/** A stand-alone, server-rendered page describing the API (no CDN, no script). */
export function ApiDocsPage(props: {
  stylesheet: string;
  title: string; version: string; intro: string; operations: ApiOperation[] }) {
  const tags = [...new Set(props.operations.map((op) => op.tag))];
  return (
    <html lang="en">
      {/* written as HTML, as the layout's: a JSX <head> makes every later element look up a context */}
      {raw(`<head>${HEAD_START}${titleTag([`${props.title} ${props.version}`])}${voidTag('link', [['rel', 'stylesheet'], ['href', props.stylesheet]])}</head>`)}
      <body class="api-docs">
        <main>
          <h1>
            {props.title} <small>{props.version}</small>
          </h1>
          {props.intro.split('\n\n').map((paragraph) => (
            <p>{paragraph}</p>
          ))}
          <p>
            Machine-readable description: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
          </p>
          <nav aria-label="Sections">
            <ul>
              {tags.map((tag) => (
                <li>
                  <a href={`#${tag.toLowerCase().replace(/\W+/g, '-')}`}>{tag}</a>
                </li>
              ))}
            </ul>
          </nav>
          {tags.map((tag) => (
            <section id={tag.toLowerCase().replace(/\W+/g, '-')}>
              <h2>{tag}</h2>
              {props.operations
                .filter((op) => op.tag === tag)
                .map((op) => (
                  <article class="operation">
                    <h3>
                      <span class={`method method-${op.method.toLowerCase()}`}>{op.method}</span> <code>{op.path}</code>
                    </h3>
                    <p>{op.summary}</p>
                    {op.description && <p>{op.description}</p>}
                    <dl>
                      <dt>Authentication</dt>
                      <dd>{op.auth}</dd>
                      {op.parameters.length > 0 && (
                        <>
                          <dt>Parameters</dt>
                          <dd>{op.parameters.join(', ')}</dd>
                        </>
                      )}
                      {op.body && (
                        <>
                          <dt>Request body</dt>
                          <dd>{op.body} (JSON)</dd>
                        </>
                      )}
                      <dt>Responses</dt>
                      <dd>{op.statuses.join(', ')}</dd>
                    </dl>
                  </article>
                ))}
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}
