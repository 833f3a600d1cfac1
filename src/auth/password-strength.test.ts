import { describe, expect, it } from 'vitest';
import { measurePassword, weakPasswordMessage } from './password-strength';

describe('password strength', () => {
  it.each(['password', 'password1', '12345678', 'iloveyou', 'qwertyuiop', 'letmein123', 'aaaaaaaa'])(
    'refuses the common password %j',
    async (password) => {
      expect(await weakPasswordMessage(password, [], true)).toMatch(/^is too easy to guess/);
    },
  );

  it('refuses a password built from the username or email', async () => {
    expect(await weakPasswordMessage('frederick2024', ['frederick', 'fred@example.com'], true)).not.toBeNull();
  });

  it.each(['correct horse battery', 'Tr0ub4dour&3x', 'velvet-otter-quarry-71'])('accepts %j', async (password) => {
    expect(await weakPasswordMessage(password, ['alice'], true)).toBeNull();
  });

  it('refuses nothing when blocking is off (length rules still apply elsewhere)', async () => {
    expect(await weakPasswordMessage('password', [], false)).toBeNull();
  });

  it('gives a label and advice for the hint', async () => {
    const weak = await measurePassword('password');
    expect(weak.label).toBe('very weak');
    expect(weak.warning).toContain('password');
    expect((await measurePassword('correct horse battery staple')).label).toMatch(/strong/);
  });
});
