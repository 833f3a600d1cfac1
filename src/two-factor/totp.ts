/**
 * The pieces of a second factor after Lucia's two-factor guide (lucia-auth.com, "Two-factor
 * authentication with TOTP"): a 20-byte key, codes of 6 digits every 30 s (@oslojs/otp), the key
 * URI an authenticator app scans (drawn as an SVG QR code on the server: no JavaScript), and ten
 * recovery codes kept as SHA-256 hashes.
 *
 * Keys at rest: with TOTP_ENCRYPTION_KEY set, each is sealed with AES-256-GCM (a fresh 12-byte IV,
 * the account's id as associated data, so a sealed key copied to another row does not open); without
 * it, kept as it is. The first byte says which, so setting the key later leaves older keys readable.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { decodeBase32IgnorePadding, encodeBase32LowerCaseNoPadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { renderSVG } from 'uqr';
import type { Env } from '../env';

export const TOTP_KEY_BYTES = 20;
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** a code from the period before or after is accepted too: clocks drift, people type slowly */
const GRACE_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;
/** 10 bytes: 80 bits each, 16 base32 letters shown in four groups */
const RECOVERY_CODE_BYTES = 10;

const PLAIN = 0;
const SEALED = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function generateTotpKey(): Uint8Array {
  const key = new Uint8Array(TOTP_KEY_BYTES);
  crypto.getRandomValues(key);
  return key;
}

/** The secret as a person types it into an app: base32, in groups of four. */
export function formatTotpSecret(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key).replace(/(.{4})(?=.)/g, '$1 ');
}

/** The secret as shown back from its text (spaces and case ignored); null if it is no key. */
export function parseTotpSecret(text: string): Uint8Array | null {
  try {
    const key = decodeBase32IgnorePadding(text.replace(/\s+/g, '').toUpperCase());
    return key.length === TOTP_KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

/** The QR code an authenticator app scans, as an inline SVG drawn here. */
export function totpQrCode(issuer: string, accountName: string, key: Uint8Array): { uri: string; svg: string } {
  const uri = createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
  return { uri, svg: renderSVG(uri, { border: 2 }) };
}

/**
 * The period (TOTP's counter) whose code `code` is (6 digits; spaces ignored): now's, or one
 * period either side; null when it is none of them. The counter lets a code count once
 * (`spendTotpPeriod` in queries.ts): a code seen over a shoulder or in a log is worth nothing once used.
 */
export function matchTotpCode(key: Uint8Array, code: string, now: number = Date.now()): number | null {
  const digits = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(digits)) return null;
  const current = Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);
  const grace = GRACE_SECONDS / TOTP_PERIOD_SECONDS;
  for (let counter = current - grace; counter <= current + grace; counter++) {
    if (generateHOTP(key, BigInt(counter), TOTP_DIGITS) === digits) return counter;
  }
  return null;
}

/** Whether `code` is the key's code now, or one period either side. */
export function verifyTotpCode(key: Uint8Array, code: string): boolean {
  return matchTotpCode(key, code) !== null;
}

/** Whether what was typed looks like a TOTP code (six digits) rather than a recovery code. */
export const looksLikeTotpCode = (code: string): boolean => /^\d{6}$/.test(code.replace(/\s+/g, ''));

const associatedData = (userId: number) => Buffer.from(`quire-totp-key:${userId}`);

/** The key as users.totp_key keeps it: sealed when TOTP_ENCRYPTION_KEY is set. */
export function sealTotpKey(env: Pick<Env, 'TOTP_ENCRYPTION_KEY'>, userId: number, key: Uint8Array): Buffer {
  const secret = env.TOTP_ENCRYPTION_KEY;
  if (!secret) return Buffer.concat([Buffer.from([PLAIN]), key]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  cipher.setAAD(associatedData(userId));
  const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([Buffer.from([SEALED]), iv, sealed, cipher.getAuthTag()]);
}

/**
 * The key from what users.totp_key keeps; null when it cannot be opened (sealed under another
 * TOTP_ENCRYPTION_KEY, or none set now): then only a recovery code gets the person in.
 */
export function openTotpKey(env: Pick<Env, 'TOTP_ENCRYPTION_KEY'>, userId: number, stored: Uint8Array): Uint8Array | null {
  const bytes = Buffer.from(stored);
  if (bytes[0] === PLAIN && bytes.length === 1 + TOTP_KEY_BYTES) return new Uint8Array(bytes.subarray(1));
  if (bytes[0] !== SEALED || bytes.length !== 1 + IV_BYTES + TOTP_KEY_BYTES + TAG_BYTES || !env.TOTP_ENCRYPTION_KEY) return null;
  try {
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', env.TOTP_ENCRYPTION_KEY, iv);
    decipher.setAAD(associatedData(userId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]));
  } catch {
    return null;
  }
}

/** Ten new recovery codes, as shown once: "abcd-efgh-ijkl-mnop". */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = new Uint8Array(RECOVERY_CODE_BYTES);
    crypto.getRandomValues(bytes);
    return encodeBase32LowerCaseNoPadding(bytes).replace(/(.{4})(?=.)/g, '$1-');
  });
}

/** A recovery code as typed (any case, with or without dashes and spaces) to what is hashed. */
export const normalizeRecoveryCode = (code: string): string => code.toLowerCase().replace(/[^a-z0-9]/g, '');

/** What recovery_codes keeps: the SHA-256 of the normalised code (80 random bits: no salt needed). */
export function hashRecoveryCode(code: string): Buffer {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest();
}
