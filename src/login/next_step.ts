/**
 * @module What a login needs after a correct password. One pure function of the user, the
 * policy and the presented trusted device; the admin policy issue widens `LoginPolicy`.
 */

export type LoginPolicy = {
  /** Whether this user must use a second factor. */
  secondFactorRequired: boolean;
};

/** The global default until the policy engine exists: every user must use 2FA. */
export const DEFAULT_POLICY: LoginPolicy = { secondFactorRequired: true };

export type NextStep =
  /** Logged in: no second factor needed, or a valid trusted device stood in for it. */
  | { step: "done"; amr: ("pwd" | "dev")[] }
  /** The user has a factor: ask for a code or a recovery code. */
  | { step: "challenge" }
  /** The user must use 2FA but has no factor yet: enroll one inside the login. */
  | { step: "enroll" };

/**
 * Decides the next step. A trusted device only ever skips the second factor of a user who has
 * one; it never stands in for enrollment.
 */
export function decideNextStep(input: {
  enrolled: boolean;
  policy: LoginPolicy;
  trustedDevice: boolean;
}): NextStep {
  if (input.enrolled) {
    return input.trustedDevice ? { step: "done", amr: ["pwd", "dev"] } : { step: "challenge" };
  }
  return input.policy.secondFactorRequired ? { step: "enroll" } : { step: "done", amr: ["pwd"] };
}
