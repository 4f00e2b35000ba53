/** @module Usernames and roles: the rules that make "Alice" and "alice" one account. */

/** Case-folded NFKC, trimmed: the form usernames are stored and looked up in. */
export function normalizeUsername(username: string): string {
  return username.normalize("NFKC").trim().toLowerCase();
}

export const USERNAME_PATTERN = /^[\p{L}\p{N}._@+-]{1,64}$/u;

/** The rule a username breaks, as shown beside its field. */
export const USERNAME_RULE = "Use 1-64 letters, digits or . _ @ + -.";

/** The username as typed without surrounding spaces, or null when it breaks the rule. */
export function validUsername(typed: string): string | null {
  const username = typed.trim();
  return USERNAME_PATTERN.test(username) ? username : null;
}

export function parseRoles(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return [];
  }
}
