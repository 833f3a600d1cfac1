import { runtime } from '../runtime';

/** OWASP's Argon2id minimum: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return runtime().argon2().hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await runtime().argon2().verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the same time as a real check when there is no user to check against, so response times
 * do not reveal which emails are registered.
 */
export async function verifyPasswordAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hashPassword('quire-timing-equaliser');
  await verifyPassword(await dummyHash, password);
  return false;
}
