/**
 * The media store on any S3-compatible object store (AWS S3, MinIO, Garage, Ceph, R2, B2...): what
 * several nodes share, so every node serves every image. Objects are `PREFIX + name`, written
 * whole by PutObject (S3 never shows half an object), with the type Quire wrote and a year's cache
 * (names hold a content hash, so a CDN in front of the bucket may cache them too).
 *
 * The SDK is loaded on first use (src/runtime.ts loadS3Sdk): a site on the file store never loads
 * its 1.4 MB of code.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk } from '../runtime';
import { parseFileName } from './names';
import { assertMediaName, contentTypeOfName, type MediaStore } from './store';

/** A name holds its content's hash: it never changes, so caches may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export type S3StoreOptions = {
  /** https://s3.example.com; unset: AWS S3 in `region` */
  endpoint?: string;
  bucket: string;
  region: string;
  /** prepended to every name: `quire/` keeps a shared bucket tidy */
  prefix?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `endpoint/bucket/name` rather than `bucket.endpoint/name`: what most S3-compatible servers want */
  forcePathStyle: boolean;
};

/** The SDK's error for a key that is not there: NoSuchKey on GetObject, NotFound (or a bare 404) elsewhere. */
function isMissing(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.Code === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

export function s3MediaStore(options: S3StoreOptions): MediaStore {
  const prefix = options.prefix ?? '';
  const keyOf = (name: string) => {
    assertMediaName(name);
    return `${prefix}${name}`;
  };
  let client: Promise<{ sdk: Awaited<ReturnType<typeof loadS3Sdk>>; s3: S3Client }> | null = null;
  const connect = () =>
    (client ??= loadS3Sdk().then((sdk) => {
      // The SDK warns once, on its first client, that its releases after January 2027 need Node 22
      // (the binary runs Node 24; `npm start` may run Node 20). The maintainers' documented switch
      // (aws/aws-sdk-js-v3#7983) silences it unless the operator has set it themselves.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const s3 = new sdk.S3Client({
        endpoint: options.endpoint,
        region: options.region,
        forcePathStyle: options.forcePathStyle,
        credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
        // the checksums S3 itself now asks for by default are not understood by every S3-compatible server
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      return { sdk, s3 };
    }));

  return {
    description: `s3://${options.bucket}/${prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`,
    async put(name, bytes, contentType) {
      const Key = keyOf(name);
      const { sdk, s3 } = await connect();
      await s3.send(
        new sdk.PutObjectCommand({ Bucket: options.bucket, Key, Body: bytes, ContentType: contentType, CacheControl: IMMUTABLE, ContentLength: bytes.length }),
      );
    },
    async get(name) {
      const Key = keyOf(name);
      const { sdk, s3 } = await connect();
      try {
        const object = await s3.send(new sdk.GetObjectCommand({ Bucket: options.bucket, Key }));
        if (!object.Body) return null;
        const bytes = Buffer.from(await object.Body.transformToByteArray());
        return { bytes, contentType: contentTypeOfName(name) };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async delete(name) {
      const Key = keyOf(name);
      const { sdk, s3 } = await connect();
      // S3 answers 204 for a key that is not there too
      await s3.send(new sdk.DeleteObjectCommand({ Bucket: options.bucket, Key }));
    },
    /** when the object was written (its LastModified): the clean-up's sweep of stray files asks (src/media/cleanup.ts) */
    async modifiedAt(name) {
      const Key = keyOf(name);
      const { sdk, s3 } = await connect();
      try {
        const head = await s3.send(new sdk.HeadObjectCommand({ Bucket: options.bucket, Key }));
        return head.LastModified ? head.LastModified.getTime() : null;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async *list() {
      const { sdk, s3 } = await connect();
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new sdk.ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix || undefined, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          const name = object.Key?.slice(prefix.length);
          // only names Quire makes: anything else in a shared bucket is not ours
          if (name && parseFileName(name) !== null) yield name;
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
