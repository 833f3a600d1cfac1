import { describe, expect, it } from 'vitest';
import { TextSchema, withoutNul } from './text';

describe('withoutNul and TextSchema', () => {
  it('replace every U+0000 with U+FFFD and leave other text as it is', () => {
    expect(withoutNul('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
    const other = 'é中文\u{1F600}\u0001\uFFFD';
    expect(withoutNul(other)).toBe(other);
  });

  it('replace before the checks that follow', () => {
    const schema = TextSchema().trim().min(1).max(2);
    expect(schema.parse(' \u0000 ')).toBe('\uFFFD');
    expect(schema.safeParse('a\u0000b').success).toBe(false);
  });
});
