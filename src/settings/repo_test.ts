import { assert, assertEquals } from "../../tests/assert.ts";
import { migrateDb, openLibsqlDb } from "../db/client.ts";
import { LOGIN_POLICY_KEY } from "../policy/repo.ts";
import { loginPolicySchema } from "../policy/policy.ts";
import { PASSWORD_POLICY_KEY } from "../passwords/service.ts";
import { passwordPolicySchema } from "../passwords/policy.ts";
import { SECURITY_SETTINGS_KEY, securitySettingsInput } from "./security.ts";
import { readSetting, readSettings, writeSettingStatement } from "./repo.ts";

const SPECS = [
  [LOGIN_POLICY_KEY, loginPolicySchema],
  [PASSWORD_POLICY_KEY, passwordPolicySchema],
  [SECURITY_SETTINGS_KEY, securitySettingsInput],
] as const;

const one = (db: Awaited<ReturnType<typeof openLibsqlDb>>) =>
  Promise.all(SPECS.map(([key, schema]) => readSetting(db, key, schema)));

Deno.test("readSettings: in one statement what readSetting gives per key (missing, stored, invalid)", async () => {
  const db = await openLibsqlDb({ url: ":memory:" });
  await migrateDb(db);
  const now = new Date(0);
  // none stored: every schema's defaults
  assertEquals(await readSettings(db, SPECS), await one(db));
  await db.batch([
    writeSettingStatement(db, PASSWORD_POLICY_KEY, { maxAgeDays: 90, minLength: 16 }, now, null),
    writeSettingStatement(db, SECURITY_SETTINGS_KEY, { maxSessions: 3 }, now, null),
  ]);
  const stored = await readSettings(db, SPECS);
  assertEquals(stored, await one(db));
  assertEquals(stored[1].maxAgeDays, 90);
  assertEquals(stored[2], { maxSessions: 3 });
  // a value the schema refuses falls back to the defaults, as with readSetting
  await writeSettingStatement(db, PASSWORD_POLICY_KEY, { maxAgeDays: -1 }, now, null);
  const invalid = await readSettings(db, SPECS);
  assertEquals(invalid, await one(db));
  assertEquals(invalid[1].maxAgeDays, 0);
  // a change is seen by the next read (nothing is kept but the parse of the same text)
  await writeSettingStatement(db, SECURITY_SETTINGS_KEY, { maxSessions: 4 }, now, null);
  assertEquals((await readSettings(db, SPECS))[2], { maxSessions: 4 });
  // each call gets its own copy
  (stored[2] as { maxSessions?: number }).maxSessions = 99;
  assertEquals((await readSettings(db, SPECS))[2], { maxSessions: 4 });
});

Deno.test("readSettings shared: the same frozen values while the text is unchanged; others get copies", async () => {
  const db = await openLibsqlDb({ url: ":memory:" });
  await migrateDb(db);
  const now = new Date(0);
  await writeSettingStatement(db, PASSWORD_POLICY_KEY, { maxAgeDays: 30 }, now, null);
  const a = await readSettings(db, SPECS, { shared: true });
  const b = await readSettings(db, SPECS, { shared: true });
  assertEquals(a, await one(db));
  for (let i = 0; i < SPECS.length; i++) {
    assert(a[i] === b[i], `spec ${i} is shared`);
    assert(Object.isFrozen(a[i]), `spec ${i} is frozen`);
  }
  assert(Object.isFrozen(a[0].webauthn), "nested values are frozen too");
  // the copies of the other readers stay theirs to change
  const copy = await readSettings(db, SPECS);
  assert(!Object.isFrozen(copy[0]) && copy[0] !== a[0]);
  copy[1].maxAgeDays = 1;
  assertEquals((await readSettings(db, SPECS, { shared: true }))[1].maxAgeDays, 30);
  // a change of the stored text gives a new value
  await writeSettingStatement(db, PASSWORD_POLICY_KEY, { maxAgeDays: 60 }, now, null);
  assertEquals((await readSettings(db, SPECS, { shared: true }))[1].maxAgeDays, 60);
});
