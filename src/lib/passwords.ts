import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's minimum profile (m = 19 MiB, t = 2, p = 1): cheap enough for a 2-core box
// under concurrent sign-ins, expensive enough for offline guessing.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Verifies against a throwaway hash so an unknown e-mail costs as much time as a wrong password. */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hashPassword('not-a-real-password-for-timing-only');
  await verifyPassword(await dummy, password);
}
