/**
 * @module The password policy: length, character classes, not the username, not a common
 * password. Admin-settable (stored as the "password_policy" setting); the checks are pure.
 */
import { z } from "zod";

/** The most earlier passwords kept per user (the upper bound of `historyCount`). */
export const PASSWORD_HISTORY_MAX = 24;

export const passwordPolicySchema = z.object({
  minLength: z.number().int().min(8).max(128).default(12),
  /** How many of lower case, upper case, digits and symbols must appear (1 = no rule). */
  minClasses: z.number().int().min(1).max(4).default(1),
  forbidUsername: z.boolean().default(true),
  forbidCommon: z.boolean().default(true),
  /**
   * Days a password stays valid; an older one must be changed at the next login, after the
   * second factor and before any session. 0 (the default) = never: NIST SP 800-63B advises
   * against periodic changes, which push people to predictable variants.
   */
  maxAgeDays: z.number().int().min(0).max(3650).default(0),
  /** How many of the user's latest passwords (the current one included) cannot be chosen again. */
  historyCount: z.number().int().min(0).max(PASSWORD_HISTORY_MAX).default(5),
});

/** The password policy as an admin sends it: unknown fields are refused, not dropped. */
export const passwordPolicyInput = passwordPolicySchema.strict();

export type PasswordPolicy = z.infer<typeof passwordPolicySchema>;

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = passwordPolicySchema.parse({});

let common: Promise<Set<string>> | undefined;

/**
 * Whether a password is on the shipped list of common passwords (49k, from zxcvbn-ts). The list
 * is loaded on first use: it takes 13 MB, and most processes never check a new password.
 */
export async function isCommonPassword(password: string): Promise<boolean> {
  common ??= import("@zxcvbn-ts/language-common").then(({ dictionary }) =>
    new Set((dictionary as Record<string, string[]>)["passwords-common"])
  );
  return (await common).has(password.toLowerCase());
}

function classes(password: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((re) => re.test(password))
    .length;
}

/** Every rule the password breaks, as messages for the form; empty when it is acceptable. */
export async function checkPassword(
  policy: PasswordPolicy,
  password: string,
  username: string,
): Promise<string[]> {
  const problems: string[] = [];
  if ([...password].length < policy.minLength) {
    problems.push(`Use at least ${policy.minLength} characters.`);
  }
  if ([...password].length > 1024) problems.push("Use at most 1024 characters.");
  if (classes(password) < policy.minClasses) {
    problems.push(
      `Mix at least ${policy.minClasses} kinds of characters: lower case, upper case, digits, symbols.`,
    );
  }
  const name = username.trim().toLowerCase();
  if (policy.forbidUsername && name.length >= 3 && password.toLowerCase().includes(name)) {
    problems.push("Do not put your username in your password.");
  }
  if (policy.forbidCommon && await isCommonPassword(password)) {
    problems.push(
      "This password is too common. Choose one that is not on lists of leaked passwords.",
    );
  }
  return problems;
}

/** The problem reported when the new password is one of the user's latest. */
export const REUSED_PASSWORD = "Choose a password you have not used recently.";

/**
 * Whether a password is past the policy's maximum age. A password never changed counts from the
 * account's creation.
 */
export function passwordExpired(input: {
  maxAgeDays: number;
  passwordChangedAt: number | null;
  createdAt: number;
  now: Date;
}): boolean {
  if (input.maxAgeDays <= 0) return false;
  const since = input.passwordChangedAt ?? input.createdAt;
  return input.now.getTime() - since >= input.maxAgeDays * 86_400_000;
}
