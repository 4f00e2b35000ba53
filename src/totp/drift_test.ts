import { assertEquals } from "../../tests/assert.ts";
import { appendOffset, detectDrift, driftMessage, parseOffsets } from "./drift.ts";

Deno.test("detectDrift() says behind when the last three codes were one step early", () => {
  assertEquals(detectDrift([0, -1, -1, -1], 30), { direction: "behind", seconds: 30 });
  assertEquals(detectDrift([1, 1, 1], 30), { direction: "ahead", seconds: 30 });
});

Deno.test("detectDrift() stays quiet on mixed or too little evidence", () => {
  assertEquals(detectDrift([-1, -1], 30), null);
  assertEquals(detectDrift([-1, 0, -1], 30), null);
  assertEquals(detectDrift([-1, 1, -1], 30), null);
  assertEquals(detectDrift([], 30), null);
});

Deno.test("appendOffset() keeps the last five offsets", () => {
  let json = "[]";
  for (const o of [0, 1, -1, 0, 1, -1, -1]) json = appendOffset(json, o);
  assertEquals(parseOffsets(json), [-1, 0, 1, -1, -1]);
  assertEquals(parseOffsets("garbage"), []);
});

Deno.test("driftMessage() names the direction", () => {
  assertEquals(
    driftMessage({ direction: "behind", seconds: 30 })?.startsWith(
      "Your phone's clock seems about 30 s behind",
    ),
    true,
  );
  assertEquals(driftMessage(null), null);
});
