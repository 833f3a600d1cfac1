/**
 * A load balancer in a few lines of node:http, for tests of several Quire nodes: round robin over
 * the nodes, no sticky sessions, and nginx's passive health check (max_fails=1): a node that
 * refuses a connection is left out for FAIL_TIMEOUT_MS and the request goes to the next node. As
 * nginx does (proxy_next_upstream error), a write is sent again only if no node has had it (the
 * connection was refused, or failed before the request was written): once a node may have it, its
 * failure is the client's answer (502), so a write is never made twice. A read is sent again.
 *
 * Each answer says which node gave it (`x-quire-node`: its index), and `served` counts them.
 * One connection per request to the nodes (no keep-alive): a node that stops accepting is then
 * seen at once, never through a pooled connection it closes under a request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const NODE_HEADER = 'x-quire-node';
const FAIL_TIMEOUT_MS = 1000;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
/** hop-by-hop headers (RFC 9110 7.6.1): each side's own */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export type Balancer = {
  url: string;
  /** the nodes' URLs (http://127.0.0.1:PORT), in the order requests go round */
  nodes: string[];
  /** answers given by each node, by index */
  served: number[];
  /** requests that reached no node (502) */
  failed: number;
  close(): Promise<void>;
};

type Attempt = { answered: true } | { answered: false; sent: boolean; error: Error };

export async function startBalancer(): Promise<Balancer> {
  const nodes: string[] = [];
  const served: number[] = [];
  const downUntil: number[] = [];
  let next = 0;
  const state = { failed: 0 };

  /** Sends the request to node `index`; resolves when its answer is piped to the client, or with why not. */
  function send(index: number, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<Attempt> {
    return new Promise((resolve) => {
      const headers = { ...req.headers };
      for (const name of HOP_BY_HOP) delete headers[name];
      let sent = false;
      const upstream = http.request(nodes[index]! + req.url, { method: req.method, headers, agent: false }, (answer) => {
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
        out[NODE_HEADER] = String(index);
        res.writeHead(answer.statusCode!, out);
        answer.pipe(res);
        served[index] = (served[index] ?? 0) + 1;
        resolve({ answered: true });
      });
      upstream.on('finish', () => (sent = true));
      upstream.on('error', (error) => resolve({ answered: false, sent, error }));
      upstream.end(body);
    });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const start = next++;
      let lastError: Error | null = null;
      for (let i = 0; i < nodes.length; i++) {
        const index = (start + i) % nodes.length;
        if ((downUntil[index] ?? 0) > Date.now() && i < nodes.length - 1) continue;
        const attempt = await send(index, req, body, res);
        if (attempt.answered) return;
        lastError = attempt.error;
        downUntil[index] = Date.now() + FAIL_TIMEOUT_MS;
        const refused = (attempt.error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        // a node that may have had a write is not asked again: the write may have been made
        if (!refused && attempt.sent && !IDEMPOTENT.has(req.method ?? '')) break;
      }
      state.failed++;
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`no node answered: ${lastError?.message ?? 'none configured'}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    nodes,
    served,
    get failed() {
      return state.failed;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
