/**
 * What the S3 media store uses of the AWS SDK, in one module: the binary carries it as a bundle of
 * its own, evaluated by the first S3 store (src/runtime.ts loadS3Sdk), never at start-up.
 */
export { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
