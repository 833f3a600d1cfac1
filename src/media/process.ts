/**
 * An uploaded file made into a stored image, with sharp (libvips). Nothing a user sends is stored
 * as it came: the type is read from the bytes, the size from the header before anything is
 * decoded, and every image is decoded, turned upright, stripped of its metadata (EXIF with GPS,
 * XMP, IPTC, comments: sharp keeps none unless asked) and encoded again, with WebP copies in a few
 * widths. sharp does its work on libuv's thread pool, never on the thread that serves pages;
 * PROCESSING_SLOTS bounds how many images are in memory at once, whatever the number of uploads.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import {
  formatBytes,
  MEDIA_CONTENT_TYPES,
  MEDIA_KEY_LENGTH,
  originalName,
  variantName,
  variantWidths,
  type MediaImage,
  type MediaType,
} from './names';

/** The longest side of a stored original: twice a 1200 px column, for sharp screens. */
export const ORIGINAL_MAX_EDGE = 2400;
/** An avatar: a square this wide, cropped around what libvips finds most interesting. */
export const AVATAR_EDGE = 512;
/** Images processed at once; the others wait their turn (each can hold tens of MB of pixels). */
export const PROCESSING_SLOTS = 2;
/** A file libvips has not finished with by then is refused. */
const PROCESSING_TIMEOUT_SECONDS = 30;

export type ImageShape = 'as-is' | 'square';

export type ProcessedFile = { name: string; bytes: Buffer; contentType: string };
export type ProcessedImage = { image: MediaImage; files: ProcessedFile[]; bytes: number };

/** A file that is not an image this site takes: 413, 415 or 422 and a message for the person who sent it. */
export class ImageRefused extends Error {
  override name = 'ImageRefused';
  constructor(
    readonly status: 413 | 415 | 422,
    message: string,
  ) {
    super(message);
  }
}

export const NOT_AN_IMAGE = 'is not an image this site takes: upload a JPEG, PNG, WebP, GIF or AVIF file';

/** The format the bytes say, by their signature; null for anything else (SVG, HTML, text, HEIC, PDF...). */
export function sniffImageType(bytes: Uint8Array): MediaType | null {
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 16 && ascii(4, 8) === 'ftyp') {
    // ISO-BMFF: AVIF when its major or a compatible brand says so (HEIC, MP4... are not images here)
    const boxSize = Math.min(bytes.length, Buffer.from(bytes.subarray(0, 4)).readUInt32BE(0), 256);
    for (let at = 8; at + 4 <= boxSize; at += 4) {
      if (at === 12) continue; // the minor version
      const brand = ascii(at, at + 4);
      if (brand === 'avif' || brand === 'avis') return 'avif';
    }
  }
  return null;
}

/**
 * Markup inside an image file: what makes a polyglot (a PNG that a browser sniffing it, or a
 * careless server, would run as HTML). The re-encoding drops it anyway; a file carrying it is
 * refused, as no camera or editor writes it. Only tags that make a document run or render as a
 * page, of four letters or more: compressed pixels are noise, and a short pattern turns up in them
 * by chance (`<a ` about three times in every 4 MB of noise, which refused real photos); these do
 * once in more than 200 000 uploads of 10 MB.
 */
const MARKUP = /<(?:script|html|body|iframe|!doctype\s+html|\?php)[\s>/]/i;

export function containsMarkup(bytes: Uint8Array): boolean {
  return MARKUP.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}

/**
 * Another image file inside this one (a GIF/PNG polyglot: a PNG after a GIF's trailer, a GIF in a
 * PNG's chunk), which a program reading the file from elsewhere than its start would take. The
 * signatures are 8 and 6 bytes long: compressed pixel data hold them by chance about once in
 * 2^48 positions. JPEG's 3-byte start is not looked for: a camera's EXIF thumbnail is a JPEG.
 */
const INNER_SIGNATURES = [Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.from('GIF87a', 'latin1'), Buffer.from('GIF89a', 'latin1')];

export function containsAnotherImage(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return INNER_SIGNATURES.some((signature) => buffer.indexOf(signature, 1) !== -1);
}

/** libvips' name of a format, and sharp's for AVIF (a HEIF with AV1 inside). */
function formatMatches(type: MediaType, metadata: Metadata): boolean {
  if (type === 'avif') return metadata.format === 'heif' && metadata.compression === 'av1';
  return metadata.format === type;
}

const ENCODERS: Record<MediaType, (pipeline: Sharp) => Sharp> = {
  jpeg: (p) => p.jpeg({ quality: 82, progressive: true, mozjpeg: false }),
  png: (p) => p.png({ compressionLevel: 8, adaptiveFiltering: true }),
  webp: (p) => p.webp({ quality: 82 }),
  gif: (p) => p.gif(),
  avif: (p) => p.avif({ quality: 55, effort: 3 }),
};

type SharpFactory = (input: Buffer, options?: SharpOptions) => Sharp;
let sharpLoaded: Promise<SharpFactory> | null = null;

/**
 * sharp, loaded on the first upload: its addon and libvips are about 20 MB resident that a server
 * nobody uploads to never needs (serving /media/ reads stored files and needs no sharp).
 */
export function loadSharp(): Promise<SharpFactory> {
  sharpLoaded ??= import('sharp').then((module) => module.default as SharpFactory);
  return sharpLoaded;
}

/** How much lower than the serving thread libvips' threads run (nice, 0 to 19). */
export const IMAGE_THREADS_NICENESS = 10;
const lowered = new Set<number>();

/**
 * Lowers the CPU priority of libvips' worker threads (Linux names them "libvips worker"), so that
 * on a busy machine the thread serving pages wins the CPU while images are processed: the work is
 * off the event loop already, and this keeps it from crowding the loop out of the core. Threads
 * are looked for before and after each image (libvips starts them as it needs them). Elsewhere, or
 * if /proc cannot be read, nothing changes.
 */
export function lowerImageThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    for (const entry of fs.readdirSync('/proc/self/task')) {
      const tid = Number(entry);
      if (lowered.has(tid)) continue;
      if (fs.readFileSync(`/proc/self/task/${entry}/comm`, 'utf8').trim() !== 'libvips worker') continue;
      os.setPriority(tid, IMAGE_THREADS_NICENESS);
      lowered.add(tid);
    }
  } catch {
    // a thread that ended meanwhile, or no /proc: the work runs at the usual priority
  }
}

let busy = 0;
const waiting: (() => void)[] = [];

/** Runs `work` in one of PROCESSING_SLOTS; the others wait in order. */
async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  if (busy >= PROCESSING_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else busy += 1;
  lowerImageThreadPriority();
  try {
    return await work();
  } finally {
    lowerImageThreadPriority();
    const next = waiting.shift();
    if (next) next();
    else busy -= 1;
  }
}

export type ProcessOptions = { maxBytes: number; maxPixels: number; shape: ImageShape };

/**
 * The stored files for `bytes`, or an ImageRefused saying why not. The checks run cheapest first:
 * size, signature, markup, then the header (width, height, frames) before a single pixel is decoded.
 */
export async function processImage(bytes: Buffer, options: ProcessOptions): Promise<ProcessedImage> {
  if (bytes.length === 0) throw new ImageRefused(422, 'is empty: choose an image file');
  if (bytes.length > options.maxBytes) {
    throw new ImageRefused(413, `is too large (${formatBytes(bytes.length)}; the most this site takes is ${formatBytes(options.maxBytes)})`);
  }
  const type = sniffImageType(bytes);
  if (!type) throw new ImageRefused(415, NOT_AN_IMAGE);
  if (containsMarkup(bytes)) throw new ImageRefused(422, 'holds HTML or script besides the image, so it is refused: export the picture again from an image editor');
  if (containsAnotherImage(bytes)) throw new ImageRefused(422, 'holds another file besides the image, so it is refused: export the picture again from an image editor');
  const sharp = await loadSharp();
  return inSlot(async () => {
    let metadata: Metadata;
    try {
      // the header alone: libvips decodes no pixel for this
      metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch {
      throw new ImageRefused(422, 'cannot be read as an image: the file may be damaged');
    }
    if (!formatMatches(type, metadata)) throw new ImageRefused(415, NOT_AN_IMAGE);
    const frames = metadata.pages ?? 1;
    const frameHeight = metadata.pageHeight ?? metadata.height;
    const pixels = metadata.width * frameHeight * frames;
    if (pixels > options.maxPixels) {
      throw new ImageRefused(
        422,
        `is ${metadata.width} × ${frameHeight} pixels${frames > 1 ? ` in ${frames} frames` : ''}; the most this site takes is ${(options.maxPixels / 1e6).toFixed(0)} megapixels`,
      );
    }
    try {
      return await encode(sharp, bytes, type, frames > 1, options.shape, options.maxPixels);
    } catch (error) {
      if (error instanceof ImageRefused) throw error;
      throw new ImageRefused(422, 'cannot be read as an image: the file may be damaged or cut short');
    }
  });
}

async function encode(sharp: SharpFactory, bytes: Buffer, type: MediaType, animated: boolean, shape: ImageShape, maxPixels: number): Promise<ProcessedImage> {
  const input = (source: Buffer) =>
    sharp(source, { limitInputPixels: maxPixels, failOn: 'error', animated }).timeout({ seconds: PROCESSING_TIMEOUT_SECONDS });
  // upright by its EXIF orientation (then dropped with the rest of the metadata); frames of an animation have none
  let pipeline = animated ? input(bytes) : input(bytes).autoOrient();
  pipeline =
    shape === 'square'
      ? pipeline.resize(AVATAR_EDGE, AVATAR_EDGE, { fit: 'cover', position: animated ? 'centre' : 'attention' })
      : pipeline.resize(ORIGINAL_MAX_EDGE, ORIGINAL_MAX_EDGE, { fit: 'inside', withoutEnlargement: true });
  const { data: original, info } = await ENCODERS[type](pipeline).toBuffer({ resolveWithObject: true });
  const height = animated ? (info.pageHeight ?? info.height) : info.height;
  const key = createHash('sha256').update(original).digest('hex').slice(0, MEDIA_KEY_LENGTH);
  const image: MediaImage = { key, width: info.width, height, type };
  const files: ProcessedFile[] = [{ name: originalName(image), bytes: original, contentType: MEDIA_CONTENT_TYPES[type] }];
  // the copies come from the stored original: already upright, and at most ORIGINAL_MAX_EDGE wide
  for (const width of variantWidths(image)) {
    const copy = await input(original).resize({ width }).webp({ quality: 80 }).toBuffer();
    files.push({ name: variantName(image, width), bytes: copy, contentType: MEDIA_CONTENT_TYPES.webp });
  }
  return { image, files, bytes: files.reduce((sum, file) => sum + file.bytes.length, 0) };
}
