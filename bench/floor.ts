/**
 * @module The HTTP floor on this machine: the same driver and concurrency as the session
 * phase of bench/load.ts, against a server that does nothing but answer (bench/floor_server.ts),
 * first straight from `Deno.serve`, then through a bare Hono app. What these cost per request
 * is what every twofold request costs before any of its own work.
 *   deno run -A bench/floor.ts [--seconds 5] [--concurrency 32] [--json FILE]
 */
import { type PhaseResult, runPhase } from "./load.ts";

export type FloorResults = { raw: PhaseResult; hono: PhaseResult };

export async function runFloor(seconds = 5, concurrency = 32): Promise<FloorResults> {
  const out: Partial<FloorResults> = {};
  for (const mode of ["raw", "hono"] as const) {
    const port = 18790 + (mode === "raw" ? 0 : 1);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./floor_server.ts", import.meta.url).pathname, mode, `${port}`],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("listening")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`floor server (${mode}) exited before listening`);
      seen += value;
    }
    reader.releaseLock();
    child.stdout.cancel().catch(() => {});
    try {
      out[mode] = await runPhase(port, child.pid, {
        name: `floor (${mode === "raw" ? "Deno.serve" : "Hono"})`,
        concurrency,
        seconds,
        request: () => ({ method: "GET", path: "/api/v1/session" }),
        check: (res) => res.status === 200 ? null : `${res.status}`,
      });
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
  }
  return out as FloorResults;
}

if (import.meta.main) {
  const arg = (name: string, d: number) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Number(Deno.args[i + 1]) : d;
  };
  const r = await runFloor(arg("--seconds", 5), arg("--concurrency", 32));
  for (const p of [r.raw, r.hono]) {
    console.log(
      `${p.name}: ${p.rps} req/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, server CPU ` +
        `${p.serverCpuUsPerRequest} µs/req, driver CPU ${p.driverCpuUsPerRequest} µs/req`,
    );
  }
  const j = Deno.args.indexOf("--json");
  if (j >= 0) await Deno.writeTextFile(Deno.args[j + 1], JSON.stringify(r, null, 2));
}
