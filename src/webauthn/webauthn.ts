/**
 * @module WebAuthn rules, pure: which relying party (RP ID and origin) a request speaks for, the
 * WebAuthn part of the login policy, which keys count as a factor, what a removal may leave,
 * and the `amr` values a key sign-in carries. The protocol itself (CBOR, attestation, signature
 * checks) is `@simplewebauthn/server`'s, in ./service.ts.
 */
import { z } from "zod";

/**
 * The `amr` (RFC 8176) of a session whose second factor was a security key or passkey after
 * the password: `pop`, proof of possession of a key. (`hwk` would claim a hardware-bound key,
 * which a synced passkey is not.)
 */
export const SECOND_FACTOR_AMR = ["pwd", "pop"] as const;

/**
 * The `amr` of a passkey sign-in without a password: proof of possession with user
 * verification, a multi-factor cryptographic authenticator (NIST 800-63B), so `mfa`.
 */
export const PASSKEY_AMR = ["pop", "mfa"] as const;

/** How long a challenge lives: the options' timeout plus a little for the round trip. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** The timeout the browser is given, below the challenge's life. */
export const CEREMONY_TIMEOUT_MS = 4 * 60_000;

/**
 * The WebAuthn part of the login policy (its own object in the policy document, so other policy
 * additions stay apart from it).
 */
export const webauthnPolicySchema = z.strictObject({
  /** Whether a security key or passkey may stand in for the code after the password. */
  secondFactor: z.boolean().default(true),
  /** Whether a passkey alone (discoverable, with user verification) may sign in. */
  passkeySignIn: z.boolean().default(false),
  /**
   * What a user with keys must also keep, so that a lost key locks nobody out: nothing, an
   * authenticator app, or an authenticator app or unused recovery codes.
   */
  fallback: z.enum(["none", "totp", "totp_or_recovery"]).default("none"),
});

export type WebauthnPolicy = z.infer<typeof webauthnPolicySchema>;

export const DEFAULT_WEBAUTHN_POLICY: WebauthnPolicy = webauthnPolicySchema.parse({});

export type RelyingParty = { rpId: string; origin: string };

/**
 * The RP ID and origin of this service: PUBLIC_URL's when set, else the origin the request was
 * made to. Taking the request's origin is safe for the checks that matter: the browser puts the
 * page's real origin in the signed client data and refuses an RP ID that the page's origin does
 * not own, and a credential only counts for the RP ID it was registered under, so a relaying
 * site can neither get a signature for our RP ID nor pass our origin check. PUBLIC_URL is still
 * the advice (docs/webauthn.md): keys registered under one host name do not work under another.
 */
export function relyingParty(publicUrl: string | undefined, requestUrl: string): RelyingParty {
  const url = new URL(publicUrl ?? requestUrl);
  return { rpId: url.hostname, origin: url.origin };
}

/** What the rules need to know about a user's factors. */
export type FactorCounts = { authenticators: number; keys: number; recoveryCodes: number };

/** Whether the user has a second factor that the policy counts (TOTP, or keys when allowed). */
export function hasCountedFactor(policy: WebauthnPolicy, f: FactorCounts): boolean {
  return f.authenticators > 0 || (policy.secondFactor && f.keys > 0);
}

/** Whether the user keeps the fallback the policy asks of a key holder. */
export function hasFallback(policy: WebauthnPolicy, f: FactorCounts): boolean {
  if (policy.fallback === "none") return true;
  if (f.authenticators > 0) return true;
  return policy.fallback === "totp_or_recovery" && f.recoveryCodes > 0;
}

export type RemovalVerdict =
  | { ok: true }
  | { ok: false; reason: "last_factor" | "fallback_required" };

/**
 * Whether a user may remove one key (`kind: "key"`) or one authenticator app
 * (`kind: "authenticator"`): not the last factor the policy counts while 2FA is required, and
 * not the last fallback while keys remain.
 */
export function mayRemove(input: {
  policy: WebauthnPolicy;
  required: boolean;
  counts: FactorCounts;
  kind: "key" | "authenticator";
}): RemovalVerdict {
  const after = { ...input.counts };
  if (input.kind === "key") after.keys -= 1;
  else after.authenticators -= 1;
  if (input.required && !hasCountedFactor(input.policy, after)) {
    return { ok: false, reason: "last_factor" };
  }
  if (after.keys > 0 && !hasFallback(input.policy, after)) {
    return { ok: false, reason: "fallback_required" };
  }
  return { ok: true };
}

/** Whether a user may register a key: the fallback the policy asks for must be there first. */
export function mayRegister(policy: WebauthnPolicy, counts: FactorCounts): boolean {
  return hasFallback(policy, counts);
}
