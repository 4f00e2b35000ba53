/**
 * @module /metrics across several server processes (PROCESSES > 1): the kernel hands each
 * connection, a scrape's too, to any one of them, so each process serves a snapshot of its
 * registry on a Unix socket of its own, and the one that answers a scrape adds the others'
 * snapshots to its own counts. The sockets live in a directory the primary creates (mode 0700,
 * the service's user only) and removes on stop; nothing but counters goes through them.
 */
import type { Registry, RegistrySnapshot } from "./metrics.ts";

/** How long a scrape waits for another process's snapshot. */
export const PEER_TIMEOUT_MS = 2_000;

/** The socket of process `index` (0 is the primary) in `dir`. */
export function peerSocket(dir: string, index: number): string {
  return `${dir}/${index}.sock`;
}

/** Serves `registry`'s snapshot to every connection on `path`, as JSON, then closes it. */
export function serveSnapshots(path: string, registry: Registry): { close(): void } {
  const listener = Deno.listen({ transport: "unix", path });
  const encoder = new TextEncoder();
  (async () => {
    for await (const conn of listener) {
      (async () => {
        try {
          const bytes = encoder.encode(JSON.stringify(registry.snapshot()));
          for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
        } finally {
          conn.close();
        }
      })().catch(() => {});
    }
  })().catch(() => {});
  return { close: () => listener.close() };
}

/** One process's snapshot from its socket; throws if it does not answer within the timeout. */
async function readSnapshot(path: string): Promise<RegistrySnapshot> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let conn: Deno.UnixConn | undefined;
  const read = (async () => {
    conn = await Deno.connect({ transport: "unix", path });
    return JSON.parse(await new Response(conn.readable).text()) as RegistrySnapshot;
  })();
  try {
    return await Promise.race([
      read,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), PEER_TIMEOUT_MS);
      }),
    ]);
  } catch (e) {
    try {
      conn?.close();
    } catch {
      // already closed by its readable
    }
    throw e;
  } finally {
    clearTimeout(timer);
    read.catch(() => {});
  }
}

/** The other processes' snapshots, or the socket of the first that did not answer. */
export async function readPeers(
  paths: string[],
): Promise<{ ok: true; snapshots: RegistrySnapshot[] } | { ok: false; path: string }> {
  const results = await Promise.allSettled(paths.map(readSnapshot));
  const failed = results.findIndex((r) => r.status === "rejected");
  if (failed >= 0) return { ok: false, path: paths[failed] };
  return {
    ok: true,
    snapshots: results.map((r) => (r as PromiseFulfilledResult<RegistrySnapshot>).value),
  };
}
