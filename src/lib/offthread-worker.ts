/**
 * The worker thread behind src/lib/offthread.ts: it renders article bodies and measures passwords,
 * the two pieces of work a request can make cost a second of CPU, so that the thread that serves
 * pages never runs them. One job at a time; the main thread times each one out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkPasswordStrength, providePasswordDictionaries, type PasswordStrength } from '../auth/password-strength';
import { loadMarkdown, renderBody, type RenderedBody } from './markdown';
import type { JobReply, JobRequest } from './offthread';

const data = workerData as { passwordDictionaries: string | null } | undefined;
// the binary's main thread reads its asset and hands it over: a worker cannot rely on node:sea
if (data?.passwordDictionaries) providePasswordDictionaries(data.passwordDictionaries);

async function runJob(request: JobRequest): Promise<RenderedBody | PasswordStrength> {
  if (request.kind === 'renderBody') return renderBody(await loadMarkdown(), request.body, request.siteUrl);
  return await checkPasswordStrength(request.password, request.context);
}

parentPort!.on('message', async (message: { id: number; request: JobRequest }) => {
  let reply: JobReply;
  try {
    reply = { id: message.id, ok: true, value: await runJob(message.request) };
  } catch (error) {
    reply = { id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
