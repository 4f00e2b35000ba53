/**
 * @module Reads a V8 `.cpuprofile` (from `deno run --cpu-prof`) and says where the main thread's
 * time went: by area (our src/ folders, each npm package, Deno's runtime, GC), by function
 * (self time), and by our own functions including what they call.
 */

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

export type Share = { name: string; ms: number; pct: number };

export type ProfileSummary = {
  /** Sampled wall time of the main thread, idle excluded. */
  busyMs: number;
  idleMs: number;
  /** Self time by area: `src/<folder>`, an npm package, `deno:<extension>`, `(gc)`... */
  areas: Share[];
  /** Functions by self time. */
  self: Share[];
  /** Our own (src/) functions by inclusive time: themselves and everything they call. */
  ours: Share[];
};

const SPECIAL: Record<string, string> = {
  "(idle)": "(idle)",
  "(garbage collector)": "(gc)",
  "(program)": "(program: native, outside JS)",
  "(root)": "(root)",
};

/** Shortens a script URL to what a reader recognises: `hono/dist/...`, `src/login/flow.ts`. */
export function shortUrl(url: string): string {
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length);
  const src = url.lastIndexOf("/src/");
  if (url.startsWith("file://") && src >= 0) return url.slice(src + 1);
  return url;
}

/** The area a frame belongs to. */
export function areaOf(frame: CallFrame): string {
  if (SPECIAL[frame.functionName] && !frame.url) return SPECIAL[frame.functionName];
  const url = frame.url;
  if (!url) return "(v8 builtins)";
  const short = shortUrl(url);
  if (short !== url) {
    if (short.startsWith("src/")) {
      const parts = short.split("/");
      return parts.length > 2 ? `src/${parts[1]}/` : short;
    }
    const parts = short.split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith("ext:")) return `deno:${url.slice(4).split("/")[0]}`;
  if (url.startsWith("node:")) return "deno:node-compat";
  return url;
}

function frameName(frame: CallFrame): string {
  const fn = frame.functionName || "(anonymous)";
  if (!frame.url) return SPECIAL[fn] ?? fn;
  return `${fn} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function top(map: Map<string, number>, total: number, n: number): Share[] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({
    name,
    ms: Math.round(us / 100) / 10,
    pct: total ? Math.round((us / total) * 1000) / 10 : 0,
  }));
}

export function summarizeProfile(profile: CpuProfile, n = 15): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

  const area = new Map<string, number>();
  const self = new Map<string, number>();
  const ours = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample stands for the interval up to the next one.
    const us = timeDeltas[i + 1] ?? 0;
    const node = byId.get(samples[i]);
    if (!node || us <= 0) continue;
    if (node.callFrame.functionName === "(idle)" && !node.callFrame.url) {
      idle += us;
      continue;
    }
    busy += us;
    const a = areaOf(node.callFrame);
    area.set(a, (area.get(a) ?? 0) + us);
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!f.url || !shortUrl(f.url).startsWith("src/") || !f.functionName) continue;
      const key = frameName(f);
      if (seen.has(key)) continue;
      seen.add(key);
      ours.set(key, (ours.get(key) ?? 0) + us);
    }
  }
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    areas: top(area, busy, n),
    self: top(self, busy, n),
    ours: top(ours, busy, n),
  };
}

/** Summarises the newest `.cpuprofile` in a directory. */
export async function summarizeProfileDir(dir: string, n = 15): Promise<ProfileSummary | null> {
  let newest: { path: string; mtime: number } | null = null;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".cpuprofile")) continue;
    const path = `${dir}/${entry.name}`;
    const mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
    if (!newest || mtime > newest.mtime) newest = { path, mtime };
  }
  if (!newest) return null;
  return summarizeProfile(JSON.parse(await Deno.readTextFile(newest.path)), n);
}
