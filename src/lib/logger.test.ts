import { describe, expect, it } from 'vitest';
import { errorText } from './logger';

describe('errorText', () => {
  it('shows the stack, then every error the error wraps', () => {
    const driver = Object.assign(new Error('Cannot use a pool after calling end on the pool'), { code: 'X' });
    const wrapped = new Error('Failed query: select 1', { cause: driver });
    const text = errorText(wrapped);
    expect(text).toMatch(/^Error: Failed query: select 1\n\s+at /);
    expect(text).toContain('\nCaused by: Error: Cannot use a pool after calling end on the pool');
    expect(text.indexOf('Failed query')).toBeLessThan(text.indexOf('Caused by'));
  });

  it('shows a cause that is not an Error, and stops after a few causes (a cycle never loops)', () => {
    expect(errorText(new Error('outer', { cause: 'just text' }))).toContain('\nCaused by: just text');
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(errorText(a).match(/Caused by/g)).toHaveLength(4);
  });

  it('shows what is not an Error as text', () => {
    expect(errorText('boom')).toBe('boom');
    expect(errorText(42)).toBe('42');
  });
});
