import { assertEquals, assertMaps } from "../../tests/assert.ts";
import { FixedClock } from "./clock.ts";
import { jsonLogger, type Level, urlForLog } from "./log.ts";

Deno.test("urlForLog() keeps only scheme and host of network URLs", () => {
  assertMaps(urlForLog, [
    ["libsql://db.turso.io?authToken=eyJhbGciOi", "libsql://db.turso.io"],
    ["https://user:pw@db.example:8443/v2?x=1", "https://db.example:8443"],
    ["https://hooks.example/services/T0/B0/s3cr3t", "https://hooks.example"],
    ["file:./data/twofold.db?mode=ro", "file:./data/twofold.db"],
    [":memory:", ":memory:"],
    ["not a url", "(unparsable URL)"],
  ]);
});

Deno.test("jsonLogger() writes what JSON.stringify({ t, level, msg, ...fields }) writes", () => {
  const lines: string[] = [];
  const sink = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const clock = new FixedClock("2026-11-22T12:00:10.123Z");
  const log = jsonLogger("debug", clock, { sink });
  const cases: [Level, string, Record<string, unknown> | undefined][] = [
    ["info", "request", {
      method: "GET",
      path: '/a"b\\c\n\u2028é',
      status: 200,
      duration_ms: 0.12,
      ip: null,
    }],
    ["warn", 'msg "quoted"', undefined],
    ["error", "empty", {}],
    ["debug", "all undefined", { a: undefined }],
    ["info", "nested", { a: { b: [1, "x", null] }, when: new Date(0) }],
    ["info", "shadows", { t: "mine", msg: "other", level: 3, x: 1 }],
    ["info", "a date", new Date(5) as unknown as Record<string, unknown>],
    ["info", "own toJSON", { toJSON: () => "custom", y: 2 }],
    ["info", "no prototype", Object.assign(Object.create(null), { z: "q" })],
  ];
  for (const [level, msg, fields] of cases) {
    log(level, msg, fields);
    assertEquals(
      lines.pop(),
      JSON.stringify({ t: clock.now().toISOString(), level, msg, ...fields }),
    );
    clock.advance(level === "warn" ? 1 : 0);
  }
});
