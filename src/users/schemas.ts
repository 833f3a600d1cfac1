import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password';
import { BLANK, tooLong, tooShort } from '../lib/messages';
import { TextSchema } from '../lib/text';

export const USERNAME_MAX_LENGTH = 40;
export const EMAIL_MAX_LENGTH = 254;
export const BIO_MAX_LENGTH = 1000;
export const IMAGE_URL_MAX_LENGTH = 2000;

export const UsernameSchema = z
  .string({ error: BLANK })
  .trim()
  .min(1, BLANK)
  .max(USERNAME_MAX_LENGTH, tooLong(USERNAME_MAX_LENGTH))
  .regex(/^[A-Za-z0-9_-]+$/, 'can only contain letters, digits, _ and -');

export const EmailSchema = z
  .string({ error: BLANK })
  .trim()
  .min(1, BLANK)
  .max(EMAIL_MAX_LENGTH, tooLong(EMAIL_MAX_LENGTH))
  .pipe(z.email({ error: 'is not a valid email address' }));

/** Passwords: length only, no composition rules (NIST 800-63B). */
export const PasswordSchema = z
  .string({ error: BLANK })
  .min(1, BLANK)
  .min(PASSWORD_MIN_LENGTH, tooShort(PASSWORD_MIN_LENGTH))
  .max(PASSWORD_MAX_LENGTH, tooLong(PASSWORD_MAX_LENGTH));

/** An avatar URL: http(s) only, since it is output as an img src. Empty means none. */
export const ImageUrlSchema = TextSchema()
  .trim()
  .max(IMAGE_URL_MAX_LENGTH, tooLong(IMAGE_URL_MAX_LENGTH))
  .refine((value) => value === '' || isHttpUrl(value), 'must be an http:// or https:// URL')
  .transform((value) => (value === '' ? null : value));

export const BioSchema = TextSchema()
  .max(BIO_MAX_LENGTH, tooLong(BIO_MAX_LENGTH))
  .transform((value) => (value.trim() === '' ? null : value));

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const RegisterFormSchema = z.object({
  username: UsernameSchema,
  email: EmailSchema,
  password: PasswordSchema,
});

export const LoginFormSchema = z.object({
  email: TextSchema().trim().min(1, BLANK).max(EMAIL_MAX_LENGTH, tooLong(EMAIL_MAX_LENGTH)),
  password: z.string().min(1, BLANK).max(PASSWORD_MAX_LENGTH, tooLong(PASSWORD_MAX_LENGTH)),
});

export const SettingsFormSchema = z.object({
  image: ImageUrlSchema,
  username: UsernameSchema,
  bio: BioSchema,
  email: EmailSchema,
  /** empty keeps the current password */
  password: z.union([z.literal(''), PasswordSchema]),
  currentPassword: z.string().max(PASSWORD_MAX_LENGTH, tooLong(PASSWORD_MAX_LENGTH)),
});

export const USER_FIELD_LABELS: Record<string, string> = {
  username: 'Username',
  email: 'Email',
  password: 'Password',
  image: 'Image URL',
  bio: 'Bio',
  currentPassword: 'Current password',
  role: 'Role',
};
