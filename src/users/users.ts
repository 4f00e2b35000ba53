/** @module Usernames and roles: the rules that make "Alice" and "alice" one account. */

/** Case-folded NFKC, trimmed: the form usernames are stored and looked up in. */
export function normalizeUsername(username: string): string {
  return username.normalize("NFKC").trim().toLowerCase();
}

export const USERNAME_PATTERN = /^[\p{L}\p{N}._@+-]{1,64}$/u;

export function parseRoles(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return [];
  }
}
