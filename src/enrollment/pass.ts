/**
 * @module One-time enrollment passes: after an admin resets a user's 2FA (or the emergency CLI
 * runs), the user needs this pass together with their password to enroll a new authenticator,
 * so a stolen password alone cannot enroll the attacker's phone. Valid 24 hours, shown once,
 * stored as SHA-256 (it carries 100 bits).
 */
import { randomBytes, sha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { HOUR } from "../lib/clock.ts";

export const ENROLLMENT_PASS_HOURS = 24;
const ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789";

/** A new pass: 20 characters from a 30-letter alphabet (98 bits), grouped by five. */
export function generateEnrollmentPass(): string {
  // Rejection sampling: bytes of 240 and above are dropped so that every letter of the
  // 30-letter alphabet is equally likely (b % 30 alone would favour the first 16).
  let chars = "";
  while (chars.length < 20) {
    for (const b of randomBytes(24)) {
      if (b < 240 && chars.length < 20) chars += ALPHABET[b % ALPHABET.length];
    }
  }
  return chars.match(/.{5}/g)!.join("-");
}

export function normalizePass(pass: string): string {
  return pass.toUpperCase().replace(/[\s-]/g, "");
}

export function hashEnrollmentPass(pass: string): string {
  return sha256Hex(normalizePass(pass));
}

export function passExpiry(now: Date): number {
  return now.getTime() + ENROLLMENT_PASS_HOURS * HOUR;
}

export function enrollmentPassMatches(
  user: { enrollmentPassHash: string | null; enrollmentPassExpiresAt: number | null },
  pass: string | undefined,
  now: Date,
): boolean {
  if (!user.enrollmentPassHash || !pass) return false;
  if ((user.enrollmentPassExpiresAt ?? 0) <= now.getTime()) return false;
  return timingSafeEqual(hashEnrollmentPass(pass), user.enrollmentPassHash);
}
