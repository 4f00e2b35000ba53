import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { type ChangeSource, embeddedClientOf, requestArrived } from "../db/changes.ts";
import { type Db, migrateDb, openLibsqlDb } from "../db/client.ts";
import type { Deps } from "../deps.ts";
import { FixedClock } from "../lib/clock.ts";
import { writeSettingStatement } from "../settings/repo.ts";
import { INITIAL_ACCESS_RULES } from "./rules.ts";
import { ACCESS_RULES_KEY, accessRules } from "./service.ts";

/** What `accessRules` uses of the deps: the database, the clock and the reload interval. */
function depsOf(db: Db, clock: FixedClock): Deps {
  return { db, clock, config: { ACCESS_RULES_RELOAD_SECONDS: 3600 } } as unknown as Deps;
}

/** Counts the reads of the rules' row through `db`'s embedded client. */
function countRowReads(db: Db): { reads: number } {
  const client = embeddedClientOf(db)! as ChangeSource;
  const counter = { reads: 0 };
  const getSync = client.getSync.bind(client);
  client.getSync = (sql) => {
    if (sql.includes(ACCESS_RULES_KEY)) counter.reads++;
    return getSync(sql);
  };
  return counter;
}

const DENY_CONTRACTORS = {
  default: "deny" as const,
  rules: [{
    hosts: [],
    paths: [],
    methods: [],
    networks: [],
    users: [],
    groups: ["contractors"],
    roles: [],
    action: "deny" as const,
  }],
};

Deno.test("accessRules() on the embedded file: kept until any connection writes, re-parsed only when the row's text changed", async () => {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/t.db`;
  const writer = await openLibsqlDb({ url });
  await migrateDb(writer);
  // Another process on the same file, whose reload interval (an hour) never passes here.
  const db = await openLibsqlDb({ url });
  const clock = new FixedClock("2026-11-22T12:00:00Z");
  const deps = depsOf(db, clock);
  const row = countRowReads(db);
  try {
    const first = requestArrived();
    const initial = accessRules(deps, first);
    assert(!(initial instanceof Promise), "decided without waiting");
    assertEquals(initial, INITIAL_ACCESS_RULES);
    assertEquals(row.reads, 1);
    // Nothing written: the same rules, without reading the row (nor, for one request, a look).
    assert(accessRules(deps, first) === initial, "the same parsed rules");
    assert(accessRules(deps, requestArrived()) === initial, "the same parsed rules");
    assert(accessRules(deps) === initial, "the same parsed rules");
    assertEquals(row.reads, 1);

    // Another connection writes something else: the row is read again, not parsed again.
    await writeSettingStatement(writer, "other", { x: 1 }, clock.now(), null);
    assert(accessRules(deps, requestArrived()) === initial, "the same parsed rules");
    assertEquals(row.reads, 2);

    // It saves rules: the very next call has them, an hour's interval notwithstanding.
    await writeSettingStatement(writer, ACCESS_RULES_KEY, DENY_CONTRACTORS, clock.now(), null);
    const denying = accessRules(deps, requestArrived());
    assertEquals(denying, DENY_CONTRACTORS);
    assert(accessRules(deps, requestArrived()) === denying, "the same parsed rules");
    assertEquals(row.reads, 3);

    // A write of this process's own is counted at once, even within the same request.
    const same = requestArrived();
    assert(accessRules(deps, same) === denying, "the same parsed rules");
    await writeSettingStatement(db, ACCESS_RULES_KEY, INITIAL_ACCESS_RULES, clock.now(), null);
    assertEquals(accessRules(deps, same), INITIAL_ACCESS_RULES);

    // A read that fails fails the call: never a decision by rules that may be stale.
    (db as unknown as { $client: { close(): void } }).$client.close();
    await assertRejects(async () => await accessRules(deps, requestArrived()));
  } finally {
    (writer as unknown as { $client: { close(): void } }).$client.close();
    (db as unknown as { $client: { close(): void } }).$client.close();
    await Deno.remove(dir, { recursive: true });
  }
});
