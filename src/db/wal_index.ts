/**
 * @module Whether any connection, in this process or another, has committed to a WAL-mode
 * database file since the last look, read from memory instead of the database.
 *
 * `PRAGMA data_version` answers the same question, but only inside a read transaction: two
 * `fcntl` locks on the WAL index and the engine's own bookkeeping, measured at 6-10 us per
 * session check under load (bench/RESULTS.md), a fifth of the check. SQLite keeps the WAL
 * index in the `-shm` file that every connection maps into memory, and every commit rewrites
 * its header (https://www.sqlite.org/walformat.html, "The WAL-Index Header"): `iChange` grows
 * by one per transaction, and `mxFrame`, the salts and the checksum move with it. Here the same
 * file is mapped read-only into this process too, and a look compares the header's first copy
 * (which a writer updates last, after the second) with the one seen before: about 0.1 us.
 *
 * Why this is exact:
 * - A commit that finished before a look has rewritten both header copies, so the look sees
 *   a header it has not seen (iChange moved). A commit still under way may or may not be
 *   seen; nobody has been told of it yet, and the next look sees it.
 * - The header changes for more than commits (a checkpoint that restarts the WAL, recovery):
 *   such a look only reads the database once more than needed.
 * - The mapping is read only while the owner's connection is open. That connection holds the
 *   WAL index's "dead man switch" lock, without which no connection (of any process) can
 *   truncate or delete the `-shm` file: the mapping stays valid, and it is the live file.
 * - No file is opened or closed here: closing any descriptor of a file drops every POSIX lock
 *   this process holds on it (SQLite's own included). The mapping uses the descriptor SQLite
 *   itself holds for the `-shm` file, found in /proc/self/fd, which needs no close.
 *
 * Linux only (/proc, `libc.so.6`), with `--allow-ffi` and `--allow-read`; anything else gets
 * null and the caller keeps `PRAGMA data_version`. Deno only: Workers never load this module.
 */

/** The size of one copy of the WAL-index header, in bytes. */
const HEADER_BYTES = 48;
/** What is mapped: the first page, which holds both header copies. */
const MAP_BYTES = 4096;
const PROT_READ = 1;
const MAP_SHARED = 1;

type Libc = {
  mmap(
    addr: Deno.PointerValue,
    length: bigint,
    prot: number,
    flags: number,
    fd: number,
    offset: bigint,
  ): Deno.PointerValue;
  munmap(addr: Deno.PointerValue, length: bigint): number;
};

let libc: Libc | null | undefined;

function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (Deno.build.os !== "linux") return null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    libc = Deno.dlopen("libc.so.6", {
      mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
      munmap: { parameters: ["pointer", "usize"], result: "i32" },
    }).symbols as Libc;
  } catch {
    libc = null;
  }
  return libc;
}

/** A mapped WAL-index header: `changes()` grows each time it moved since the last look. */
export class WalIndexWatch {
  readonly #lib: Libc;
  #pointer: Deno.PointerValue;
  readonly #view: Deno.UnsafePointerView;
  /** The header as last seen, as twelve 32-bit words. */
  readonly #seen = new Uint32Array(HEADER_BYTES / 4);
  readonly #now = new Uint32Array(HEADER_BYTES / 4);
  readonly #nowBytes = new Uint8Array(this.#now.buffer);
  #changes = 0;

  private constructor(lib: Libc, pointer: NonNullable<Deno.PointerValue>) {
    this.#lib = lib;
    this.#pointer = pointer;
    this.#view = new Deno.UnsafePointerView(pointer);
    this.#view.copyInto(this.#nowBytes);
    this.#seen.set(this.#now);
  }

  /**
   * Maps the WAL index of the database file at `dbPath`, through the descriptor that an open
   * SQLite connection of this process holds for its `-shm` file (call it right after such a
   * connection has run a read). Null when that cannot be done here; the caller then reads
   * `PRAGMA data_version` instead.
   */
  static open(dbPath: string): WalIndexWatch | null {
    const lib = loadLibc();
    if (!lib) return null;
    try {
      const shm = Deno.realPathSync(`${dbPath}-shm`);
      const { ino, size } = Deno.statSync(shm);
      if (size < MAP_BYTES) return null;
      for (const entry of Deno.readDirSync("/proc/self/fd")) {
        const fd = Number(entry.name);
        let target: string;
        try {
          target = Deno.readLinkSync(`/proc/self/fd/${fd}`);
        } catch {
          continue; // closed meanwhile
        }
        if (target !== shm) continue;
        const pointer = lib.mmap(null, BigInt(MAP_BYTES), PROT_READ, MAP_SHARED, fd, 0n);
        if (pointer === null || Deno.UnsafePointer.value(pointer) === 0xffffffffffffffffn) {
          return null;
        }
        // The descriptor may have been closed and its number reused between the two looks:
        // the file mapped must be the `-shm` file itself, and still be.
        if (Deno.statSync(`/proc/self/fd/${fd}`).ino !== ino) {
          lib.munmap(pointer, BigInt(MAP_BYTES));
          continue;
        }
        return new WalIndexWatch(lib, pointer);
      }
    } catch {
      // no -shm file (not in WAL mode), /proc unreadable...
    }
    return null;
  }

  /** How many times the header was seen to move; never shrinks. */
  changes(): number {
    if (this.#pointer === null) throw new Error("the WAL index is no longer mapped");
    const now = this.#now;
    const seen = this.#seen;
    this.#view.copyInto(this.#nowBytes);
    for (let i = 0; i < now.length; i++) {
      if (now[i] !== seen[i]) {
        seen.set(now);
        return ++this.#changes;
      }
    }
    return this.#changes;
  }

  /** Unmaps the header; call before the connection that keeps the file alive closes. */
  close(): void {
    if (this.#pointer === null) return;
    this.#lib.munmap(this.#pointer, BigInt(MAP_BYTES));
    this.#pointer = null;
  }
}
