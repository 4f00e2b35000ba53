/**
 * @module Where the configuration comes from on Deno, in this order (later wins): a JSON file
 * named by CONFIG_FILE, then the environment. Any key may instead be read from a file by its
 * `<KEY>_FILE` form (container and systemd secrets: `ENCRYPTION_KEY_FILE=/run/secrets/key`),
 * in the config file or the environment. Every value remembers where it came from, so that an
 * error names the key and the file. Pure: the caller reads files and the environment.
 */
import { z } from "zod";
import { ConfigError, configKeys, configSchema } from "./config.ts";

export type Gathered = {
  record: Record<string, string | undefined>;
  /** Key -> where its value came from, for keys not set by the environment directly. */
  sources: Record<string, string>;
};

type Input = {
  env: Record<string, string | undefined>;
  /** The config file: its path and text, when CONFIG_FILE is set. */
  file?: { path: string; text: string };
  /** Reads a secret file (throws when it cannot). */
  readText: (path: string) => string;
};

/** A value of the JSON file as the string the schema parses. */
function fileValue(key: string, value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (key === "SIGNING_KEYS" && value && typeof value === "object") return JSON.stringify(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(",");
  return null;
}

export function gatherConfig(input: Input): Gathered {
  const keys = new Set(configKeys());
  const issues: string[] = [];
  const record: Record<string, string | undefined> = {};
  const sources: Record<string, string> = {};
  /** Key -> the path its `_FILE` form names, and where that came from. */
  const fileRefs: Record<string, { path: string; from: string }> = {};

  const accept = (name: string, value: string, from: string) => {
    if (keys.has(name)) {
      record[name] = value;
      if (from === "environment") delete sources[name];
      else sources[name] = from;
      delete fileRefs[name];
      return true;
    }
    const base = name.endsWith("_FILE") ? name.slice(0, -"_FILE".length) : "";
    if (base && keys.has(base)) {
      fileRefs[base] = { path: value, from };
      delete record[base];
      return true;
    }
    return false;
  };

  if (input.file) {
    const where = `config file ${input.file.path}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.file.text);
    } catch (e) {
      throw new ConfigError([`${where}: not valid JSON (${(e as Error).message})`]);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new ConfigError([`${where}: must be a JSON object of settings`]);
    }
    for (const [name, raw] of Object.entries(parsed)) {
      if (name === "$schema") continue;
      const value = fileValue(name, raw);
      if (value === null) {
        issues.push(`${name} (${where}): must be a string, number, boolean or list of strings`);
      } else if (!accept(name, value, where)) {
        issues.push(`${name} (${where}): not a setting (see docs/configuration.md)`);
      }
    }
  }
  // The environment overrides the file; a `_FILE` there overrides a value in the file, and the
  // other way round.
  for (const [name, value] of Object.entries(input.env)) {
    if (value === undefined || value === "") continue;
    accept(name, value, "environment");
  }
  for (const key of keys) {
    const path = input.env[`${key}_FILE`];
    if (input.env[key] && path) {
      issues.push(`${key}: set both directly and by ${key}_FILE (${path}); keep one`);
      delete fileRefs[key];
    }
  }
  for (const [key, ref] of Object.entries(fileRefs)) {
    const from = ref.from === "environment"
      ? `${key}_FILE=${ref.path}`
      : `${key}_FILE in ${ref.from}`;
    try {
      record[key] = input.readText(ref.path).replace(/\r?\n$/, "");
      sources[key] = `file ${ref.path}, from ${from}`;
    } catch (e) {
      issues.push(`${key} (${from}): cannot read ${ref.path}: ${(e as Error).message}`);
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return { record, sources };
}

/**
 * The JSON Schema of the config file (editors check a file that names it in `$schema`): the
 * settings of the zod schema, each also as `<KEY>_FILE`, and nothing else. Shipped as
 * docs/twofold.schema.json; `deno task cli config:schema` prints it.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, Record<string, unknown>>;
    [k: string]: unknown;
  };
  const properties: Record<string, unknown> = { $schema: { type: "string" } };
  for (const [key, prop] of Object.entries(schema.properties)) {
    const isBool = Array.isArray(prop.enum) && prop.enum.includes("1");
    const isNumber = prop.type === "integer";
    properties[key] = isBool
      ? { ...prop, type: ["boolean", "string"], enum: [true, false, "true", "false", "1", "0"] }
      : isNumber
      ? {
        anyOf: [prop, { type: "string", pattern: "^[0-9]+$" }],
        ...(prop.default === undefined ? {} : { default: prop.default }),
      }
      : key === "FORWARD_AUTH_ALLOWED_HOSTS" || key === "IP_ALLOWLIST"
      ? { anyOf: [prop, { type: "array", items: { type: "string" } }] }
      : key === "SIGNING_KEYS"
      ? { anyOf: [prop, { type: "object" }, { type: "array", items: { type: "object" } }] }
      : prop;
  }
  return {
    $schema: schema.$schema,
    title: "twofold configuration file (CONFIG_FILE)",
    type: "object",
    properties,
    patternProperties: { "^[A-Z][A-Z0-9_]*_FILE$": { type: "string", minLength: 1 } },
    additionalProperties: false,
  };
}
