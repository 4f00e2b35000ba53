/**
 * @module The real server (src/main.ts) for profiling runs only: `deno run --cpu-prof` writes its
 * profile on a normal exit, and a plain SIGTERM kills the process before it can, so this exits
 * normally on SIGTERM. The timed runs start `src/main.ts` itself.
 */
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
await import("../src/main.ts");
