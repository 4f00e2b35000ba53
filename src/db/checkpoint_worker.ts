/**
 * @module The WAL checkpointer's thread (see checkpoint.ts): its own connection to the
 * database file, a PASSIVE checkpoint every `intervalMs`, and a report of each to the server.
 * A PASSIVE checkpoint never waits for, or blocks, the server's readers and writers.
 */
import Database from "libsql";

type Start = { path: string; intervalMs: number };
type Scope = {
  onmessage: ((e: MessageEvent<Start>) => void) | null;
  postMessage(message: unknown): void;
};

const scope = self as unknown as Scope;

scope.onmessage = (e) => {
  scope.onmessage = null;
  const db = new Database(e.data.path);
  const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  const run = () => {
    try {
      const r = checkpoint.get() as { busy: number; log: number; checkpointed: number };
      scope.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
    } catch (err) {
      scope.postMessage({ ok: false, error: String(err) });
    }
  };
  run();
  setInterval(run, e.data.intervalMs);
};
