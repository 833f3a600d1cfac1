import { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * Password strength by zxcvbn-ts with its common-password and English dictionaries (NIST 800-63B:
 * refuse known-bad passwords, no composition rules). The dictionaries are imported on first use:
 * they take about 150 ms and 45 MiB of memory, and only sign-ups and password changes need them.
 */
let factory: Promise<ZxcvbnFactory> | null = null;

function getFactory(): Promise<ZxcvbnFactory> {
  factory ??= Promise.all([import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(
    ([common, en]) =>
      new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  return factory;
}

/** zxcvbn scores 0-4; below this a password is refused (fewer than about a million guesses). */
export const MIN_PASSWORD_SCORE = 2;
/** Only this much is checked: long passwords are strong by length, and the check is superlinear. */
const CHECK_MAX_LENGTH = 100;

export type PasswordStrength = {
  score: 0 | 1 | 2 | 3 | 4;
  label: 'very weak' | 'weak' | 'fair' | 'strong' | 'very strong';
  warning: string | null;
  suggestions: string[];
};

const LABELS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

/** `context` are words that make a password guessable for this user: username, email. */
export async function measurePassword(password: string, context: string[] = []): Promise<PasswordStrength> {
  const result = (await getFactory()).check(password.slice(0, CHECK_MAX_LENGTH), context.filter(Boolean));
  return {
    score: result.score,
    label: LABELS[result.score],
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
  };
}

/** Why a password is refused, or null. With blocking off only the length rules (in zod) apply. */
export async function weakPasswordMessage(password: string, context: string[], block: boolean): Promise<string | null> {
  if (!block) return null;
  const strength = await measurePassword(password, context);
  if (strength.score >= MIN_PASSWORD_SCORE) return null;
  return `is too easy to guess${strength.warning ? `: ${strength.warning.replace(/\.$/, '')}` : ''}. A few unrelated words make a strong one.`;
}
