/** @module Deno entry: parse config, open libSQL, serve createApp(deps). */
import { createApp } from "./app.ts";
import { bootstrap, readEnvConfig } from "./bootstrap.ts";
import { deliverDue } from "./outbox/outbox.ts";

const config = readEnvConfig();
const deps = await bootstrap(config);
const app = createApp(deps);

Deno.serve({
  hostname: config.HOST,
  port: config.PORT,
  onListen: ({ hostname, port }) =>
    deps.log("info", "listening", {
      url: `http://${hostname}:${port}/`,
      database: config.DATABASE_URL.replace(/\/\/.*@/, "//***@"),
    }),
}, app.fetch);

// Webhook deliveries (reset links, alerts) leave from the outbox in the background, so a slow
// or failing receiver never holds up a request.
setInterval(() => {
  deliverDue(deps).catch((e) => deps.log("error", "outbox.delivery", { error: String(e) }));
}, 10_000);
