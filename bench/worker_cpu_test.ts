import { assert, assertEquals } from "../tests/assert.ts";
import type { LoadResults, PhaseResult } from "./load.ts";
import { workersRow } from "./targets.ts";
import {
  bundleModules,
  type CpuProfile,
  samplerPeriod,
  summarize,
  type WorkerCpu,
} from "./worker_cpu.ts";

const frame = (functionName: string, url = "") => ({ functionName, url, lineNumber: 0 });

/** A profile of `samples` (node ids) with the gaps `deltas` (µs) before each. */
function profile(samples: number[], deltas: number[]): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame("(root)") },
      { id: 2, callFrame: frame("(idle)") },
      { id: 3, callFrame: frame("(program)") },
      { id: 4, callFrame: frame("(garbage collector)") },
      { id: 5, callFrame: frame("handler", "file:///tmp/bundle/worker.js") },
      { id: 6, callFrame: frame("fetch") },
    ],
    startTime: 0,
    endTime: deltas.reduce((a, b) => a + b, 0),
    samples,
    timeDeltas: deltas,
  };
}

Deno.test("the sampler's period: late ticks and gaps where the isolate was not entered", () => {
  // Ticks every 1,030 µs; the third is delivered 400 µs late (its gap is longer, the next one
  // shorter by as much); then 50 ms with the isolate not entered.
  const p = profile(
    [5, 5, 5, 5, 5, 5, 5],
    [90_000, 1030, 1430, 630, 1030, 50_000, 1030],
  );
  assertEquals(samplerPeriod(p, 1000), 1030);
  // No gap short enough: the interval asked for.
  assertEquals(samplerPeriod(profile([5, 5], [1, 9000]), 1000), 1000);
});

Deno.test("the isolate's CPU: busy samples × the period, idle ones left out", () => {
  const p = profile(
    [5, 5, 6, 3, 4, 2, 2, 5],
    [500, 1000, 1000, 1000, 1000, 1000, 1000, 20_000],
  );
  const s = summarize(p, /worker\.js/, 1000, "sampler thread SCHED_FIFO");
  assertEquals(s.periodUs, 1000);
  assertEquals(s.samples, 8);
  assertEquals(s.busySamples, 6);
  assertEquals(s.ownMs, 6);
  assertEquals(s.bundleMs, 3);
  assertEquals(s.programMs, 1);
  assertEquals(s.gcMs, 1);
  assertEquals(s.top[0], { name: "handler worker.js:1", ms: 3 });
  assert(!s.top.some((f) => f.name === "(idle)"), "idle samples are not CPU time");
});

const phase = (name: string, serverCpuUsPerRequest: number, requests = 1000) =>
  ({ name, requests, serverCpuUsPerRequest }) as unknown as PhaseResult;

function worker(sessionUs: number, totpUs: number, samples: number): LoadResults {
  const cpu = { busySamples: samples } as WorkerCpu;
  return {
    phases: { session: phase("session", 1800), totp: phase("totp", 6200) },
    workerCpu: {
      session: { phase: phase("session", 1800), cpu, ownUsPerRequest: sessionUs },
      totp: { phase: phase("totp", 6200), cpu, ownUsPerRequest: totpUs },
    },
  } as unknown as LoadResults;
}

Deno.test("the Workers target is judged on the isolate's CPU, with room for the sampling error", () => {
  assertEquals(workersRow(worker(600, 2200, 400))[3], "**met**");
  // 950 µs from 100 samples could be 1,140 (2 standard errors): not shown to be within 1 ms.
  assertEquals(workersRow(worker(950, 2200, 100))[3], "**not shown**");
  assertEquals(workersRow(worker(600, 3100, 10_000))[3], "**not met**");
  // Without the profile, only the whole process: an upper bound, over the targets here.
  const noProfile = { ...worker(0, 0, 1), workerCpu: { error: "no inspector" } };
  const row = workersRow(noProfile as LoadResults);
  assertEquals(row[3], "**not shown**");
  assert(row[4].includes("no inspector"), row[4]);
  assertEquals(workersRow(null)[3], "not measured");
});

Deno.test("a bundle's line is named by the module esbuild put there", () => {
  const moduleOf = bundleModules([
    "var x = 1;",
    "// node_modules/.deno/hono@4.9.0/node_modules/hono/dist/request.js",
    "class HonoRequest {}",
    "// src/lib/log.ts",
    "var consoleSink = {};",
    "  // src/not/a/module/comment.ts",
  ].join("\n"));
  assertEquals(moduleOf(0), undefined);
  assertEquals(moduleOf(2), "hono/dist/request.js");
  assertEquals(moduleOf(4), "src/lib/log.ts");
  assertEquals(moduleOf(5), "src/lib/log.ts");
  const p = profile([5, 5], [1000, 1000]);
  const s = summarize(p, /worker\.js/, 1000, "", () => "src/lib/log.ts");
  assertEquals(s.top[0].name, "handler worker.js:1 (src/lib/log.ts)");
});
