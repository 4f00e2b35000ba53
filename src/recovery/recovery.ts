/**
 * @module Recovery codes: single-use codes of 120 bits each. At 112 bits or more a keyed hash is
 * enough to keep a database dump from revealing them (ASVS 6.5.2), and it lets one indexed,
 * conditional UPDATE find and consume a code.
 */
import { hmacHex, randomBytes } from "../lib/crypto.ts";

/** Crockford base32: no i, l, o, u, so codes read and type without confusion. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
export const RECOVERY_CODE_CHARS = 24; // 24 x 5 bits = 120 bits

/** A new code, grouped for reading: "xxxx-xxxx-xxxx-xxxx-xxxx-xxxx". */
export function generateRecoveryCode(): string {
  const bytes = randomBytes(15); // 120 bits, read 5 bits at a time
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join("-");
}

/** Lower case, no spaces or dashes, and the look-alikes Crockford maps (i, l -> 1; o -> 0). */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "").replace(/[il]/g, "1").replace(/o/g, "0");
}

export function isWellFormedRecoveryCode(normalized: string): boolean {
  return normalized.length === RECOVERY_CODE_CHARS &&
    [...normalized].every((c) => ALPHABET.includes(c));
}

/** The stored form: HMAC-SHA256 under a server key, bound to the user. */
export function hashRecoveryCode(key: Uint8Array, userId: string, code: string): string {
  return hmacHex(key, `${userId}:${normalizeRecoveryCode(code)}`);
}
