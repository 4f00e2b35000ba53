import { assertEquals } from "../../tests/assert.ts";
import { decideNextStep } from "./next_step.ts";

const table = [
  { enrolled: true, required: true, device: false, expect: { step: "challenge" } },
  { enrolled: true, required: true, device: true, expect: { step: "done", amr: ["pwd", "dev"] } },
  { enrolled: true, required: false, device: false, expect: { step: "challenge" } },
  { enrolled: true, required: false, device: true, expect: { step: "done", amr: ["pwd", "dev"] } },
  { enrolled: false, required: true, device: false, expect: { step: "enroll" } },
  { enrolled: false, required: true, device: true, expect: { step: "enroll" } },
  { enrolled: false, required: false, device: false, expect: { step: "done", amr: ["pwd"] } },
] as const;

for (const row of table) {
  Deno.test(
    `decideNextStep() enrolled=${row.enrolled} required=${row.required} device=${row.device} -> ${row.expect.step}`,
    () => {
      const got = decideNextStep({
        enrolled: row.enrolled,
        policy: { secondFactorRequired: row.required },
        trustedDevice: row.device,
      });
      assertEquals(got, row.expect);
    },
  );
}
