/**
 * @module First run: while no admin exists, a setup link (a random token printed at the start on
 * Deno, or the SETUP_TOKEN secret on Workers) opens a page that creates the first admin, who
 * then enrolls a second factor through the normal login. The link is single use: the admin is
 * inserted by one statement that adds nothing once any admin exists, and the link is refused
 * from then on. A generated link also expires (SETUP_LINK_MINUTES).
 */
import { audit } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import { randomBytes, timingSafeEqual } from "../lib/crypto.ts";
import { toBase64Url } from "../lib/encoding.ts";
import { MINUTE } from "../lib/clock.ts";
import { hashPassword } from "../lib/password.ts";
import { validateNewPassword } from "../passwords/service.ts";
import { USERNAME_RULE, validUsername } from "../users/users.ts";
import { adminExists, insertFirstAdmin } from "./repo.ts";

/** The setup token the app accepts; `expiresAt` null: until an admin exists (Workers secret). */
export type SetupToken = { token: string; expiresAt: number | null };

export function newSetupToken(now: Date, minutes: number): SetupToken {
  return { token: toBase64Url(randomBytes(32)), expiresAt: now.getTime() + minutes * MINUTE };
}

/** The link the start prints. */
export function setupLink(base: string, setup: SetupToken): string {
  return `${base.replace(/\/$/, "")}/setup?token=${setup.token}`;
}

export type SetupCheck = "ok" | "invalid" | "admin_exists";

/** Whether `token` opens the setup page now. */
export async function checkSetupToken(
  deps: Deps,
  setup: SetupToken | undefined,
  token: string | undefined,
): Promise<SetupCheck> {
  const live = !!setup && !!token && timingSafeEqual(token, setup.token) &&
    (setup.expiresAt === null || deps.clock.now().getTime() < setup.expiresAt);
  if (!live) return "invalid";
  return await adminExists(deps.db) ? "admin_exists" : "ok";
}

export type FirstAdminResult =
  | { ok: true; userId: string; username: string }
  | { ok: false; reason: "admin_exists" }
  | { ok: false; reason: "field"; field: "username" | "password"; message: string };

/** Creates the first admin, if there is none yet (checked again in the insert itself). */
export async function createFirstAdmin(deps: Deps, input: {
  username: string;
  password: string;
  ip: string | null;
}): Promise<FirstAdminResult> {
  const username = validUsername(input.username);
  if (username === null) {
    return { ok: false, reason: "field", field: "username", message: USERNAME_RULE };
  }
  const weak = await validateNewPassword(deps, input.password, username);
  if (weak) {
    return { ok: false, reason: "field", field: "password", message: weak.problems.join(" ") };
  }
  const now = deps.clock.now();
  const id = await insertFirstAdmin(deps.db, {
    username,
    passwordHash: await hashPassword(input.password, deps.config.PBKDF2_ITERATIONS, deps.pbkdf2),
    now,
  });
  if (!id && !(await adminExists(deps.db))) {
    return { ok: false, reason: "field", field: "username", message: "That username is taken." };
  }
  if (!id) {
    await audit(deps.db, {
      event: "setup.first_admin",
      outcome: "failure",
      username,
      ip: input.ip,
      detail: { reason: "admin_exists" },
    }, now);
    return { ok: false, reason: "admin_exists" };
  }
  await audit(deps.db, {
    event: "setup.first_admin",
    outcome: "success",
    userId: id,
    username,
    ip: input.ip,
    detail: { actor: "setup_link" },
  }, now);
  return { ok: true, userId: id, username };
}
