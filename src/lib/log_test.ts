import { assertEquals } from "../../tests/assert.ts";
import { urlForLog } from "./log.ts";

Deno.test("urlForLog() keeps only scheme and host of network URLs", () => {
  assertEquals(urlForLog("libsql://db.turso.io?authToken=eyJhbGciOi"), "libsql://db.turso.io");
  assertEquals(urlForLog("https://user:pw@db.example:8443/v2?x=1"), "https://db.example:8443");
  assertEquals(urlForLog("https://hooks.example/services/T0/B0/s3cr3t"), "https://hooks.example");
  assertEquals(urlForLog("file:./data/twofold.db?mode=ro"), "file:./data/twofold.db");
  assertEquals(urlForLog(":memory:"), ":memory:");
  assertEquals(urlForLog("not a url"), "(unparsable URL)");
});
