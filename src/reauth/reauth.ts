/**
 * @module Sudo mode: changing factors needs a fresh proof of password and second factor within
 * the last five minutes (ASVS 7.5.1). A session alone is never enough; a login by trusted device
 * proved no second factor, so it is not fresh until the user re-authenticates.
 */
import { MINUTE } from "../lib/clock.ts";

export const REAUTH_WINDOW_MS = 5 * MINUTE;

/** A code, a recovery code, or a security key or passkey (`pop`) proved a second factor. */
const provedSecondFactor = (amr: string[]) =>
  amr.includes("otp") || amr.includes("rec") || amr.includes("pop");

export function isFreshlyAuthenticated(
  session: {
    createdAt: number;
    reauthAt: number | null;
    amr: string[];
    /** A delegated session (an admin acting as the user) is never fresh: no factor changes. */
    delegatedBy?: string | null;
  },
  now: Date,
): boolean {
  if (session.delegatedBy) return false;
  const t = now.getTime();
  if (session.reauthAt !== null && t - session.reauthAt <= REAUTH_WINDOW_MS) return true;
  const provedFactor = provedSecondFactor(session.amr);
  return provedFactor && t - session.createdAt <= REAUTH_WINDOW_MS;
}

/** When the current proof runs out, for telling clients; null when not fresh. */
export function freshUntil(
  session: { createdAt: number; reauthAt: number | null; amr: string[] },
  now: Date,
): Date | null {
  if (!isFreshlyAuthenticated(session, now)) return null;
  const from = Math.max(
    session.reauthAt ?? 0,
    provedSecondFactor(session.amr) ? session.createdAt : 0,
  );
  return new Date(from + REAUTH_WINDOW_MS);
}
