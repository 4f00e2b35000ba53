// A tool-only package, kept out of deno.json's import map (every package there is installed at
// any start).
// deno-lint-ignore no-import-prefix
import { defineConfig } from "npm:drizzle-kit@^0.31.11";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
