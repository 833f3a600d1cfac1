/**
 * Images for tests and the bench, made with sharp: plain ones, a photo-like one that compresses as
 * a camera's would, and the multipart body an upload sends.
 */
import sharp from 'sharp';

type Colour = string | { r: number; g: number; b: number };

/** A JPEG of one colour. */
export const solidJpeg = (width: number, height: number, background: Colour = '#2a7') =>
  sharp({ create: { width, height, channels: 3, background } }).jpeg().toBuffer();

/** A PNG of one colour. */
export const solidPng = (width: number, height: number, background: Colour = '#c33') =>
  sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();

/** A photo-like JPEG: noise at a quarter of the size, enlarged, so it compresses as a camera's would. */
export async function photoLikeJpeg(width: number, height: number): Promise<Buffer> {
  const noise = await sharp({
    create: { width: Math.round(width / 4), height: Math.round(height / 4), channels: 3, background: '#678', noise: { type: 'gaussian', mean: 120, sigma: 50 } },
  })
    .png()
    .toBuffer();
  return sharp(noise).resize(width, height, { kernel: 'cubic' }).jpeg({ quality: 88 }).toBuffer();
}

/** The multipart body of an upload: the bytes in the field `file`, with the name and type a browser would declare. */
export function uploadForm(bytes: Buffer, name = 'photo.jpg', type = 'image/jpeg'): FormData {
  const form = new FormData();
  form.set('file', new File([new Uint8Array(bytes)], name, { type }));
  return form;
}
