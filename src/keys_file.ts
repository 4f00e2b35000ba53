/**
 * @module The embedded default's generated keys: when SIGNING_KEYS or ENCRYPTION_KEY is not set,
 * one is generated once and kept in KEYS_FILE (mode 0600) so restarts keep sessions and secrets.
 * Production sets both variables instead. Deno only.
 */
import type { JWK } from "jose";
import { dirname } from "node:path";
import { toBase64 } from "./lib/encoding.ts";
import { randomBytes } from "./lib/crypto.ts";
import { generateRsaSigningJwk, generateSigningJwk, isRsaJwk } from "./tokens/tokens.ts";
import type { Logger } from "./lib/log.ts";

type KeysFile = { signing_keys?: JWK[]; encryption_key?: string };

export async function loadOrCreateKeys(
  path: string,
  wanted: { signing: boolean; encryption: boolean },
  log: Logger,
): Promise<{ signingKeys?: JWK[]; encryptionKey?: string }> {
  let stored: KeysFile = {};
  try {
    stored = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw new Error(`KEYS_FILE ${path}: ${e}`);
  }
  let changed = false;
  if (wanted.signing && !stored.signing_keys?.length) {
    stored.signing_keys = [await generateSigningJwk()];
    changed = true;
  }
  // An RSA key for the OpenID Connect clients that accept only RS256; a keys file written before
  // the provider existed gets one added.
  if (wanted.signing && !stored.signing_keys!.some(isRsaJwk)) {
    stored.signing_keys = [await generateRsaSigningJwk(), ...stored.signing_keys!];
    changed = true;
  }
  if (wanted.encryption && !stored.encryption_key) {
    stored.encryption_key = toBase64(randomBytes(32));
    changed = true;
  }
  if (changed) {
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
  }
  const missing = [wanted.signing && "SIGNING_KEYS", wanted.encryption && "ENCRYPTION_KEY"]
    .filter(Boolean).join(" and ");
  if (missing) {
    log(
      "warn",
      `${missing} not set: using generated keys kept in ${path}. Production must set them.`,
    );
  }
  return {
    ...(wanted.signing ? { signingKeys: stored.signing_keys } : {}),
    ...(wanted.encryption ? { encryptionKey: stored.encryption_key } : {}),
  };
}
