/** @module Loading the login policy and describing a user to it. */
import type { Db } from "../db/client.ts";
import { readSetting, writeSettingStatement } from "../settings/repo.ts";
import type { UserRow } from "../users/repo.ts";
import { parseRoles } from "../users/users.ts";
import { type LoginPolicy, loginPolicySchema, type PolicySubject } from "./policy.ts";

export const LOGIN_POLICY_KEY = "login_policy";

export async function loadPolicy(db: Db): Promise<LoginPolicy> {
  return await readSetting(db, LOGIN_POLICY_KEY, loginPolicySchema);
}

export function savePolicyStatement(db: Db, policy: LoginPolicy, now: Date, by: string) {
  return writeSettingStatement(db, LOGIN_POLICY_KEY, policy, now, by);
}

export function subjectOf(user: UserRow, enrolled: boolean): PolicySubject {
  return {
    roles: parseRoles(user.roles),
    groups: parseRoles(user.groups),
    explicitlyRequired: user.twofaRequired,
    enrolled,
    requiredSince: user.twofaRequiredSince,
    graceUntil: user.graceUntil,
  };
}
