/** @module Creating users: the username and password rules, then the row and its audit event. */
import { audit } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import { hashPassword } from "../lib/password.ts";
import { insertUser, type UserRow } from "./repo.ts";
import { validUsername } from "./users.ts";

export const MIN_PASSWORD_LENGTH = 12;
export const KNOWN_ROLES = ["admin", "user"] as const;

export type CreateUserResult =
  | { ok: true; user: UserRow }
  | { ok: false; field: "username" | "password" | "roles"; message: string };

export async function createUser(deps: Deps, input: {
  username: string;
  password: string;
  roles: string[];
  actor: string;
}): Promise<CreateUserResult> {
  const username = validUsername(input.username);
  if (username === null) {
    return {
      ok: false,
      field: "username",
      message: "Use 1-64 letters, digits or . _ @ + - for the username.",
    };
  }
  if ([...input.password].length < MIN_PASSWORD_LENGTH) {
    return {
      ok: false,
      field: "password",
      message: `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`,
    };
  }
  const unknown = input.roles.filter((r) => !(KNOWN_ROLES as readonly string[]).includes(r));
  if (unknown.length) {
    return { ok: false, field: "roles", message: `Unknown role: ${unknown.join(", ")}` };
  }
  const now = deps.clock.now();
  const user = await insertUser(deps.db, {
    username,
    passwordHash: await hashPassword(input.password, deps.config.PBKDF2_ITERATIONS, deps.pbkdf2),
    roles: [...new Set(input.roles)],
    now,
  });
  if (!user) return { ok: false, field: "username", message: "That username is taken." };
  await audit(deps.db, {
    event: "user.create",
    outcome: "success",
    userId: user.id,
    username: user.username,
    detail: { actor: input.actor, roles: input.roles },
  }, now);
  return { ok: true, user };
}
