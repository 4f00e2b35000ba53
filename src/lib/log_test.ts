import { assertMaps } from "../../tests/assert.ts";
import { urlForLog } from "./log.ts";

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
