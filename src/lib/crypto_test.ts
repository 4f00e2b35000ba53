import { assert, assertEquals, assertMatch, assertNotEquals } from "../../tests/assert.ts";
import { randomId, timeOrderedId } from "./crypto.ts";

Deno.test("timeOrderedId(): its time prefix sorts as the time does, its random part is randomId's", () => {
  const times = [
    0,
    1,
    63,
    64,
    4095,
    Date.UTC(2026, 10, 28),
    Date.UTC(2026, 10, 28) + 1,
    2 ** 48 - 1,
  ];
  const ids = times.map((t) => timeOrderedId(t));
  for (const id of ids) assertMatch(id, /^[A-Za-z0-9_-]{30}$/);
  // SQLite compares TEXT keys byte by byte, as JavaScript compares these ASCII strings
  for (let i = 1; i < ids.length; i++) {
    assert(ids[i - 1] < ids[i], `${ids[i - 1]} sorts before ${ids[i]}`);
  }
  assertEquals(timeOrderedId(0).slice(0, 8), "--------");
  assertEquals(timeOrderedId(2 ** 48 - 1).slice(0, 8), "zzzzzzzz");
  assertEquals(timeOrderedId(new Date(64)).slice(0, 8), "------0-");
  // the same millisecond still gives different ids: 128 random bits follow
  const t = Date.UTC(2026, 10, 28);
  assertNotEquals(timeOrderedId(t), timeOrderedId(t));
  assertEquals(timeOrderedId(t).slice(8).length, randomId().length);
});
