/**
 * @module The database thread (see thread.ts): the embedded client, with its compiled
 * statements and group commit, runs here, and the serving thread posts it statements. Each
 * message is one client call; answers carry plain data (results as arrays, errors by name
 * and code), which thread.ts turns back into what `@libsql/client` would have returned.
 */
import type { InStatement, Transaction } from "@libsql/client";
import { LibsqlBatchError, LibsqlError } from "@libsql/client";
import { type EmbeddedClient, openEmbeddedClient, resultToWire } from "./embedded.ts";

export type Init = { url: string; pragmas: string[]; checkpointEveryMs?: number };
export type Call =
  | { id: number; op: "execute"; stmt: InStatement; tx?: number }
  | { id: number; op: "batch"; stmts: InStatement[]; mode?: string; tx?: number }
  | { id: number; op: "migrate"; stmts: InStatement[] }
  | { id: number; op: "executeMultiple"; sql: string; tx?: number }
  | { id: number; op: "transaction"; mode?: string }
  | { id: number; op: "commit" | "rollback" | "close"; tx: number }
  | { id: number; op: "shutdown" };
export type WireError = {
  name: string;
  message: string;
  code?: string;
  extendedCode?: string;
  rawCode?: number;
  statementIndex?: number;
};
export type Answer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError }
  | { id: -1; ok: false; error: WireError; fatal: true };

type Scope = { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
const scope = self as unknown as Scope;

let client: EmbeddedClient;
const transactions = new Map<number, Transaction>();
let nextTx = 1;

function toWireError(e: unknown): WireError {
  const err = e as Error & {
    code?: string;
    extendedCode?: string;
    rawCode?: number;
    statementIndex?: number;
  };
  return {
    name: e instanceof LibsqlBatchError
      ? "LibsqlBatchError"
      : e instanceof LibsqlError
      ? "LibsqlError"
      : err?.name ?? "Error",
    message: String(err?.message ?? e),
    code: err?.code,
    extendedCode: err?.extendedCode,
    rawCode: err?.rawCode,
    statementIndex: err?.statementIndex,
  };
}

async function call(c: Call): Promise<unknown> {
  const tx = "tx" in c && c.tx !== undefined ? transactions.get(c.tx) : undefined;
  if ("tx" in c && c.tx !== undefined && !tx) {
    throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
  }
  switch (c.op) {
    case "execute":
      return resultToWire(await (tx ?? client).execute(c.stmt));
    case "batch":
      return (await (tx ? tx.batch(c.stmts) : client.batch(c.stmts, c.mode as never))).map(
        resultToWire,
      );
    case "migrate":
      return (await client.migrate(c.stmts)).map(resultToWire);
    case "executeMultiple":
      return await (tx ?? client).executeMultiple(c.sql);
    case "transaction": {
      const t = await client.transaction(c.mode as never);
      const id = nextTx++;
      transactions.set(id, t);
      return id;
    }
    case "commit":
    case "rollback":
    case "close": {
      transactions.delete(c.tx);
      if (c.op === "close") tx!.close();
      else await tx![c.op]();
      return null;
    }
    case "shutdown":
      client.close();
      return null;
  }
}

scope.onmessage = (first: MessageEvent<Init>) => {
  try {
    client = openEmbeddedClient(first.data.url, first.data.pragmas, {
      groupCommit: true,
      checkpointEveryMs: first.data.checkpointEveryMs,
    });
  } catch (e) {
    scope.postMessage({ id: -1, ok: false, error: toWireError(e), fatal: true });
    return;
  }
  scope.postMessage({ id: 0, ok: true, value: null });
  scope.onmessage = (e: MessageEvent<Call>) => {
    const c = e.data;
    call(c).then(
      (value) => scope.postMessage({ id: c.id, ok: true, value }),
      (err) => scope.postMessage({ id: c.id, ok: false, error: toWireError(err) }),
    );
  };
};
