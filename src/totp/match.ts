/** @module Finding which of a user's authenticators a typed code belongs to. */
import type { Deps } from "../deps.ts";
import { decryptSecret } from "../lib/crypto.ts";
import { appendOffset } from "./drift.ts";
import { type AuthenticatorRow, listAuthenticators } from "./repo.ts";
import { type TotpAlgorithm, type TotpParams, verifyTotp } from "./totp.ts";

export type TotpMatch = { id: string; step: number; offset: number; recentOffsets: string };

export function paramsOf(
  a: Pick<AuthenticatorRow, "algorithm" | "digits" | "period" | "window">,
): TotpParams {
  return {
    algorithm: a.algorithm as TotpAlgorithm,
    digits: a.digits,
    period: a.period,
    window: a.window,
  };
}

/**
 * Checks a code against each of the user's authenticators. The match still has to be stored
 * with `advanceStepStatement`, whose condition makes the acceptance single-use.
 */
export async function matchTotp(
  deps: Deps,
  userId: string,
  code: string,
  now: Date,
): Promise<{ match: TotpMatch | null; replayed: boolean }> {
  let replayed = false;
  for (const a of await listAuthenticators(deps.db, userId)) {
    const secret = await decryptSecret(deps.secrets.encryption, a.secretEnc, `totp:${userId}`);
    const r = verifyTotp({ secret, code, now, lastStep: a.lastStep, params: paramsOf(a) });
    if (r.ok) {
      return {
        match: {
          id: a.id,
          step: r.step,
          offset: r.offset,
          recentOffsets: appendOffset(a.recentOffsets, r.offset),
        },
        replayed,
      };
    }
    if (r.reason === "replayed") replayed = true;
  }
  return { match: null, replayed };
}
