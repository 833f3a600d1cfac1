import { Hono } from 'hono';
import { raw } from 'hono/html';
import { ApiDocsPage, type ApiOperation } from '../../views/pages/api-docs-page';
import spec from './openapi.json';

type Spec = {
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, SpecOperation>>;
};
type SpecOperation = {
  tags?: string[];
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Array<{ name?: string; in?: string; description?: string; $ref?: string }>;
  requestBody?: { $ref?: string };
  responses: Record<string, unknown>;
};

const METHOD_ORDER = ['get', 'post', 'put', 'delete'];

/** The operations of the spec, flattened and grouped by their first tag, for the docs page. */
function operations(document: Spec): ApiOperation[] {
  const result: ApiOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const method of METHOD_ORDER) {
      const op = methods[method];
      if (!op) continue;
      result.push({
        tag: op.tags?.[0] ?? 'Other',
        method: method.toUpperCase(),
        path: `/api${path}`,
        summary: op.summary ?? op.description ?? '',
        description: op.description && op.description !== op.summary ? op.description : '',
        auth: op.security ? 'required' : /optional/i.test(op.description ?? '') ? 'optional' : 'none',
        parameters: (op.parameters ?? []).map((p) =>
          p.$ref ? p.$ref.split('/').pop()!.replace(/Param$/, '') + ' (query)' : `${p.name} (${p.in})`,
        ),
        body: op.requestBody?.$ref?.split('/').pop()?.replace(/Request$/, '') ?? null,
        statuses: Object.keys(op.responses),
      });
    }
  }
  return result;
}

export function docsRoutes(stylesheet: string) {
  const app = new Hono();
  const document = spec as unknown as Spec;
  const json = JSON.stringify(spec);
  const ops = operations(document);

  app.get('/openapi.json', (c) => c.body(json, 200, { 'content-type': 'application/json; charset=utf-8' }));
  app.get('/docs', (c) =>
    c.html(
      <>
        {raw('<!DOCTYPE html>')}
        <ApiDocsPage stylesheet={stylesheet} title={document.info.title} version={document.info.version} intro={document.info.description} operations={ops} />
      </>,
    ),
  );
  return app;
}
