/**
 * @module Checkpoints the WAL of the server's database file on a thread of its own. SQLite's
 * automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, on the connection
 * that commits: on the server that is the one JavaScript thread, which then copies pages into
 * the database file and fsyncs it while every request waits (about 180 us per TOTP login
 * under load, bench/RESULTS.md). With this, the server's connection turns its automatic
 * checkpoint off and a Worker checkpoints every `intervalMs` instead. If the Worker fails,
 * the caller turns the automatic checkpoint back on (`onFailure`), so the WAL never grows
 * without bound.
 */

export type CheckpointReport =
  | { ok: true; busy: number; log: number; checkpointed: number }
  | { ok: false; error: string };

export type Checkpointer = { readonly last: CheckpointReport | null; stop(): void };

export function startCheckpointer(
  path: string,
  intervalMs: number,
  onFailure: (error: string) => void,
): Checkpointer {
  const worker = new Worker(new URL("./checkpoint_worker.ts", import.meta.url), {
    type: "module",
  });
  let last: CheckpointReport | null = null;
  let failed = false;
  const fail = (error: string) => {
    if (failed) return;
    failed = true;
    worker.terminate();
    onFailure(error);
  };
  worker.onmessage = (e: MessageEvent<CheckpointReport>) => {
    last = e.data;
    if (!e.data.ok) fail(e.data.error);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    fail(e.message);
  };
  worker.postMessage({ path, intervalMs });
  return {
    get last() {
      return last;
    },
    stop() {
      failed = true;
      worker.terminate();
    },
  };
}
