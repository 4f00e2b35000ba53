/**
 * @module The HTTP floor: a server that answers every GET with a fixed JSON body,
 * either straight from `Deno.serve` (`raw`) or through a bare Hono app (`hono`). Used by
 * bench/floor.ts to measure what one request costs before twofold does anything.
 *   deno run -A bench/floor_server.ts raw|hono PORT
 */
import { Hono } from "hono";

const [mode, port] = [Deno.args[0] ?? "raw", Number(Deno.args[1] ?? 8790)];
const body = JSON.stringify({ user: { id: "u_123", username: "someone", roles: ["user"] } });

let handler: (req: Request) => Response | Promise<Response>;
if (mode === "hono") {
  const app = new Hono();
  app.get("*", (c) => c.json(JSON.parse(body)));
  handler = app.fetch;
} else {
  handler = () => new Response(body, { headers: { "content-type": "application/json" } });
}
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log("listening") }, handler);
