/** @module Deno entry: parse config, open libSQL, serve createApp(deps). */
import { createApp } from "./app.ts";
import { bootstrap, readEnvConfig } from "./bootstrap.ts";

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
