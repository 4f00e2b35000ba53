/**
 * The peer of the benchmark (bench/peer.ts): better-auth with email and password and its
 * two-factor plugin, on Node's http server and better-sqlite3, set up as its documentation says
 * for production: NODE_ENV=production, a random BETTER_AUTH_SECRET and BETTER_AUTH_URL from the
 * environment, its default password hashing (scrypt), its default database-backed sessions (no
 * cookie cache), its rate limiter on (in memory, its default store) with limits raised so that
 * one client address sending the whole benchmark is not refused.
 *
 *   NODE_ENV=production BETTER_AUTH_SECRET=... BETTER_AUTH_URL=http://127.0.0.1:PORT \
 *     PORT=PORT PEER_DATABASE=/tmp/peer.db node server.mjs
 *
 * It creates its tables (better-auth's own migrations) on start, answers GET /healthz itself
 * (the driver opens its connections with it) and prints "listening PORT sqlite VERSION" once it
 * listens.
 */
import http from "node:http";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { twoFactor } from "better-auth/plugins";

const port = Number(process.env.PORT);
const file = process.env.PEER_DATABASE;
if (!port || !file || !process.env.BETTER_AUTH_SECRET || !process.env.BETTER_AUTH_URL) {
  console.error("needs PORT, PEER_DATABASE, BETTER_AUTH_SECRET and BETTER_AUTH_URL");
  process.exit(2);
}

const database = new Database(file);
// WAL, as twofold's libSQL file; synchronous stays SQLite's default, FULL, as twofold's.
database.pragma("journal_mode = WAL");

/** Far above what one client address sends here: the limiter still runs on every request. */
const unrefused = { window: 10, max: 1_000_000_000 };

const auth = betterAuth({
  database,
  emailAndPassword: { enabled: true },
  plugins: [twoFactor({ issuer: "peer-bench" })],
  rateLimit: {
    enabled: true,
    storage: "memory",
    ...unrefused,
    customRules: {
      "/sign-in/*": unrefused,
      "/sign-up/*": unrefused,
      "/two-factor/*": unrefused,
    },
  },
  telemetry: { enabled: false },
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const handler = toNodeHandler(auth);
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  handler(req, res);
});
server.keepAliveTimeout = 60_000;
process.on("SIGTERM", () => {
  server.close();
  database.close();
  process.exit(0);
});
const sqlite = database.prepare("select sqlite_version() as v").get().v;
server.listen(port, "127.0.0.1", () => console.log(`listening ${port} sqlite ${sqlite}`));
