/**
 * A zip written as it is read (fflate's streaming Zip): each file's text comes in parts, each
 * part is deflated as it arrives, and the stream asks for the next part only when the reader has
 * taken the last (a pull stream). Memory stays at a page of rows and its compressed bytes,
 * whatever the account's size.
 */
import { strToU8, Zip, ZipDeflate } from 'fflate';

export type ZipFile = { name: string; mtime: Date; parts: AsyncIterable<string> };

async function* zipChunks(files: AsyncIterable<ZipFile>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else out.push(chunk);
  });
  for await (const file of files) {
    const entry = new ZipDeflate(file.name, { level: 6 });
    entry.mtime = file.mtime;
    zip.add(entry);
    for await (const part of file.parts) {
      entry.push(strToU8(part));
      if (failure) throw failure;
      if (out.length > 0) yield* out.splice(0);
    }
    entry.push(new Uint8Array(0), true);
    if (out.length > 0) yield* out.splice(0);
    // a turn of the event loop between files: other requests are served while a big export runs
    await new Promise((resolve) => setImmediate(resolve));
  }
  zip.end();
  if (failure) throw failure;
  yield* out.splice(0);
}

/** The zip of `files` as a byte stream, produced as it is read. */
export function zipStream(files: AsyncIterable<ZipFile>): ReadableStream<Uint8Array> {
  const chunks = zipChunks(files);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
