import { ZxcvbnFactory, type OptionsType } from '@zxcvbn-ts/core';
import { runOffThread } from '../lib/offthread';
import { ASSET_KEYS, binaryAsset } from '../runtime';

/** What the strength check knows: common passwords, English words and names, keyboard layouts. */
export type PasswordDictionaries = Required<Pick<OptionsType, 'dictionary' | 'graphs' | 'translations'>>;

/**
 * The dictionaries, read on first use: they take about 150 ms and 45 MiB of memory, and only
 * sign-ups and password changes need them. From source they come from the zxcvbn-ts language
 * packages; the binary carries them as an asset (scripts/build.ts writes it from this function),
 * so its bundle, which V8 keeps in memory, does not hold their 1.6 MB of source.
 */
export async function loadPasswordDictionaries(): Promise<PasswordDictionaries> {
  const packed = binaryAsset(ASSET_KEYS.passwordDictionaries);
  if (packed) return JSON.parse(packed.toString('utf8')) as PasswordDictionaries;
  const [common, en] = await Promise.all([import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
  return { dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations };
}

let factory: Promise<ZxcvbnFactory> | null = null;
let provided: string | null = null;

/** The dictionaries as JSON, given to the worker thread by the binary's main thread. */
export function providePasswordDictionaries(json: string): void {
  provided = json;
}

function getFactory(): Promise<ZxcvbnFactory> {
  factory ??= (provided ? Promise.resolve(JSON.parse(provided) as PasswordDictionaries) : loadPasswordDictionaries()).then(
    (dictionaries) => new ZxcvbnFactory(dictionaries),
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

/**
 * `context` are words that make a password guessable for this user: username, email. Measured in
 * the worker thread (src/lib/offthread.ts): 0.1-0.4 s of CPU for a 100-character password.
 */
export async function measurePassword(password: string, context: string[] = []): Promise<PasswordStrength> {
  return await runOffThread({ kind: 'measurePassword', password, context });
}

/** The measure itself, on the calling thread: the worker runs it. */
export async function checkPasswordStrength(password: string, context: string[]): Promise<PasswordStrength> {
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
