/**
 * @module "Both cores": the same load run against one server process and against PROCESSES=2
 * (two processes on one port and one database file, src/processes.ts), and its markdown section.
 * CPU per request is that of the whole process tree (bench/load.ts reads every descendant).
 *
 *   deno run -A bench/processes.ts [results.json]    (prints the section)
 */
import type { LoadResults, PhaseResult } from "./load.ts";
import { num, runJsonScript } from "./report.ts";

/** The load run's arguments: fewer users and a shorter password phase than the main run. */
export const PROCESSES_ARGS = [
  "--users",
  "1000",
  "--password-requests",
  "60",
  "--session-seconds",
  "8",
  "--no-profile",
];

export type ProcessesRun = { args: string[]; runs: { processes: number; load: LoadResults }[] };

/** Runs bench/load.ts (through `runLoad`, which spawns it) with PROCESSES=1, then 2. */
export async function measureProcesses(
  runLoad: (args: string[]) => Promise<LoadResults>,
  counts = [1, 2],
): Promise<ProcessesRun> {
  const runs = [];
  for (const processes of counts) {
    const load = await runLoad([...PROCESSES_ARGS, "--server-env", `PROCESSES=${processes}`]);
    runs.push({ processes, load });
  }
  return { args: PROCESSES_ARGS, runs };
}

const fmt = (x: number | null | undefined, digits = 0) => num(x, digits, "—");

export function processesSection(p: ProcessesRun | null): string {
  const title = "## Both cores (PROCESSES)\n\n";
  if (!p) return title + "Not measured.\n";
  const rows: string[][] = [];
  for (const { processes, load } of p.runs) {
    for (const phase of ["session", "totp", "password"] as const) {
      const r: PhaseResult = load.phases[phase];
      rows.push([
        String(processes),
        phase,
        fmt(r.rps, 1),
        fmt(r.p50Ms, 2),
        fmt(r.p99Ms, 2),
        fmt(r.errors),
        fmt(r.serverCpuUsPerRequest),
        fmt(r.driverCpuUsPerRequest),
        fmt(r.otherProcessesCores, 2),
      ]);
    }
  }
  const gain = (phase: "session" | "totp" | "password") => {
    const [one, two] = [p.runs[0]?.load.phases[phase], p.runs[1]?.load.phases[phase]];
    return one && two ? fmt(two.rps / one.rps, 2) : "—";
  };
  const head = [
    "processes",
    "phase",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "server CPU µs/req (all processes)",
    "driver CPU µs/req",
    "other processes (CPUs)",
  ];
  return title +
    `\`deno run -A bench/load.ts ${p.args.join(" ")} --server-env PROCESSES=N\`, N = 1 then 2:
the same server, seeding and phases as above on fewer users, once as one process and once as two
processes sharing the port (SO_REUSEPORT) and the database file. Server CPU is summed over the
process and its children. The load driver runs on the same two cores, so two server processes
compete with it: the gain is what this machine gives, not what a machine with spare cores would.

| ${head.join(" | ")} |
| ${head.map(() => "---").join(" | ")} |
${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}

Throughput with two processes over one: session checks ×${gain("session")}, TOTP steps ×${
      gain("totp")
    }, password logins ×${gain("password")} (PBKDF2 already runs on a thread pool).
`;
}

/** Runs bench/load.ts in a process of its own (as bench/run.ts does) and reads its JSON. */
function spawnLoad(args: string[]): Promise<LoadResults> {
  return runJsonScript<LoadResults>("load", args);
}

if (import.meta.main) {
  const run = await measureProcesses(spawnLoad);
  if (Deno.args[0]) await Deno.writeTextFile(Deno.args[0], JSON.stringify(run, null, 2));
  console.log(processesSection(run));
}
