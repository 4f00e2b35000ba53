/**
 * @module A consistent copy of the embedded database while it serves: `VACUUM INTO` reads the
 * database in one read transaction (WAL mode lets the server keep writing meanwhile) and writes a
 * compact, self-contained file with no WAL of its own. The copy is then checked with
 * `PRAGMA integrity_check`.
 */
import Database from "libsql";

export type BackupResult = { ok: true; bytes: number } | { ok: false; message: string };

/** The path of a `file:` DATABASE_URL, or null for anything else (Turso, memory). */
export function embeddedPath(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  return url.slice("file:".length).replace(/\?.*$/, "") || null;
}

export function backupEmbedded(source: string, output: string): BackupResult {
  try {
    Deno.statSync(output);
    return { ok: false, message: `${output} exists; choose a new file` };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  try {
    Deno.statSync(source);
  } catch {
    return { ok: false, message: `no database at ${source}` };
  }
  const db = new Database(source);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec(`VACUUM INTO '${output.replaceAll("'", "''")}'`);
  } finally {
    db.close();
  }
  const copy = new Database(output, { readonly: true });
  try {
    const row = copy.prepare("PRAGMA integrity_check").get() as Record<string, unknown>;
    const verdict = Object.values(row)[0];
    if (verdict !== "ok") return { ok: false, message: `the copy failed its check: ${verdict}` };
  } finally {
    copy.close();
  }
  return { ok: true, bytes: Deno.statSync(output).size };
}
