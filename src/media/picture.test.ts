import { describe, expect, it } from 'vitest';
import { imageMarkdown, imgAttributes, insertAt, mediaImagesIn } from './picture';

const IMAGE = '/media/0123456789abcdef0123-800x600.jpg';

describe('insertAt', () => {
  it('puts an image at the end as a paragraph of its own when no cursor is known', () => {
    expect(insertAt('Text.\n\n', '![a](x)', null)).toEqual({ body: 'Text.\n\n![a](x)\n', cursor: 15 });
    expect(insertAt('', '![a](x)', null)).toEqual({ body: '![a](x)\n', cursor: 8 });
  });

  it('puts it at the cursor with blank lines around it as needed', () => {
    expect(insertAt('One two', '![a](x)', 3).body).toBe('One\n\n![a](x)\n\n two');
    expect(insertAt('One\n\nTwo', '![a](x)', 5).body).toBe('One\n\n![a](x)\n\nTwo');
    expect(insertAt('One\n\nTwo', '![a](x)', 0)).toEqual({ body: '![a](x)\n\nOne\n\nTwo', cursor: 9 });
  });

  it('takes a cursor past the end for no cursor', () => {
    expect(insertAt('Hi', '![a](x)', 99).body).toBe('Hi\n\n![a](x)\n');
  });
});

describe('imageMarkdown', () => {
  it('escapes brackets and folds white space in the alt text', () => {
    expect(imageMarkdown(' A [big]\n field\\ ', IMAGE)).toBe(`![A \\[big\\] field\\\\](${IMAGE})`);
  });
});

describe('mediaImagesIn', () => {
  it('lists this site\'s originals once each, in order, with their alt text', () => {
    const body = `![One](${IMAGE}) ![Elsewhere](https://example.com/x.jpg) ![Copy](/media/0123456789abcdef0123-800x600-480.webp) ![Again](${IMAGE})\n![Two](/media/ffffffffffffffffffff-10x20.png "t")`;
    expect(mediaImagesIn(body)).toEqual([
      { url: IMAGE, alt: 'One' },
      { url: '/media/ffffffffffffffffffff-10x20.png', alt: 'Two' },
    ]);
  });
});

describe('imgAttributes', () => {
  it('is lazy unless first, then fetched at once with high priority', () => {
    const image = { key: '0123456789abcdef0123', width: 800, height: 600, type: 'jpeg' as const };
    expect(imgAttributes(image, 'preview')).toMatchObject({ src: IMAGE, width: 800, height: 600, loading: 'lazy', decoding: 'async' });
    const first = imgAttributes(image, 'article', { first: true });
    expect(first.fetchpriority).toBe('high');
    expect('loading' in first).toBe(false);
    expect(first.srcset).toBe(`/media/0123456789abcdef0123-800x600-480.webp 480w, ${IMAGE} 800w`);
  });
});
