/**
 * @module Prometheus metrics: a tiny registry of counters and histograms, rendered in the text
 * exposition format 0.0.4. One registry per `Deps`, so each test starts from zero. The values
 * live in memory: on Workers that is one isolate of many, which is why /metrics is off there.
 * Several server processes (PROCESSES) each count their own and add the others' snapshots when
 * they render (src/observability/peers.ts), so that any of them answers for all.
 */

export type Labels = Record<string, string>;

/** Latency buckets in seconds: from a cached JWKS to a login at full PBKDF2 cost. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function escapeHelp(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function formatValue(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return Number.isNaN(v) ? "NaN" : String(v);
}

function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  return `{${names.map((n, i) => `${n}="${escapeLabelValue(values[i])}"`).join(",")}}`;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`bad metric name: ${name}`);
    for (const l of labelNames) {
      if (!LABEL.test(l) || l === "le") throw new Error(`bad label name: ${l}`);
    }
  }

  /** The label values in declaration order; every declared label must be given, no others. */
  protected values(labels: Labels): string[] {
    const names = this.labelNames;
    const values = new Array<string>(names.length);
    for (let i = 0; i < names.length; i++) {
      if (!Object.hasOwn(labels, names[i])) this.#refuse();
      values[i] = String(labels[names[i]]);
    }
    // Every declared one is there: as many keys means no others.
    if (Object.keys(labels).length !== names.length) this.#refuse();
    return values;
  }

  #refuse(): never {
    throw new Error(`${this.name}: labels must be exactly ${this.labelNames.join(", ")}`);
  }

  /**
   * One series' key: each value preceded by its length, which no two different lists share
   * (cheaper than JSON, on every request).
   */
  protected static keyOf(values: readonly string[]): string {
    let key = "";
    for (let i = 0; i < values.length; i++) key += values[i].length + ":" + values[i];
    return key;
  }

  /** Every series' values, for another process to add to its own (see `Registry.render`). */
  abstract snapshot(): SeriesSnapshot[];

  /** Its lines, with the series of `others` (the same metric in other processes) added. */
  abstract render(others?: SeriesSnapshot[]): string[];
}

/** One series as `snapshot()` gives it: label values, then the counter's value or the histogram's. */
export type SeriesSnapshot = {
  values: string[];
  value?: number;
  counts?: number[];
  sum?: number;
  count?: number;
};

/** A registry's state: series by metric name. */
export type RegistrySnapshot = Record<string, SeriesSnapshot[]>;

export class Counter extends Metric {
  #series = new Map<string, { values: string[]; value: number }>();

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up`);
    const values = this.values(labels);
    const key = Metric.keyOf(values);
    const s = this.#series.get(key);
    if (s) s.value += by;
    else this.#series.set(key, { values, value: by });
  }

  /** The current value of one series (0 when it was never touched). */
  get(labels: Labels = {}): number {
    return this.#series.get(Metric.keyOf(this.values(labels)))?.value ?? 0;
  }

  snapshot(): SeriesSnapshot[] {
    return [...this.#series.values()].map((s) => ({ values: s.values, value: s.value }));
  }

  render(others: SeriesSnapshot[] = []): string[] {
    const series = new Map<string, { values: string[]; value: number }>();
    for (const s of [...this.#series.values(), ...others]) {
      if (s.values.length !== this.labelNames.length) continue;
      const key = Metric.keyOf(s.values);
      const value = Number(s.value ?? 0);
      const seen = series.get(key);
      if (seen) seen.value += value;
      else series.set(key, { values: s.values, value });
    }
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} counter`,
      ...[...series.values()].map((s) =>
        `${this.name}${formatLabels(this.labelNames, s.values)} ${formatValue(s.value)}`
      ),
    ];
  }
}

export class Histogram extends Metric {
  readonly buckets: readonly number[];
  #series = new Map<string, { values: string[]; counts: number[]; sum: number; count: number }>();

  constructor(name: string, help: string, labelNames: readonly string[], buckets: number[]) {
    super(name, help, labelNames);
    this.buckets = [...new Set(buckets)].filter(Number.isFinite).sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    const values = this.values(labels);
    const key = Metric.keyOf(values);
    let s = this.#series.get(key);
    if (!s) {
      s = { values, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  /** Observations of one series so far. */
  count(labels: Labels): number {
    return this.#series.get(Metric.keyOf(this.values(labels)))?.count ?? 0;
  }

  snapshot(): SeriesSnapshot[] {
    return [...this.#series.values()].map((s) => ({
      values: s.values,
      counts: s.counts,
      sum: s.sum,
      count: s.count,
    }));
  }

  render(others: SeriesSnapshot[] = []): string[] {
    const lines = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} histogram`,
    ];
    const series = new Map<
      string,
      { values: string[]; counts: number[]; sum: number; count: number }
    >();
    for (const s of [...this.#series.values(), ...others]) {
      if (s.values.length !== this.labelNames.length) continue;
      if (s.counts?.length !== this.buckets.length) continue;
      const key = Metric.keyOf(s.values);
      const seen = series.get(key);
      if (seen) {
        s.counts.forEach((c, i) => seen.counts[i] += Number(c));
        seen.sum += Number(s.sum ?? 0);
        seen.count += Number(s.count ?? 0);
      } else {
        series.set(key, {
          values: s.values,
          counts: s.counts.map(Number),
          sum: Number(s.sum ?? 0),
          count: Number(s.count ?? 0),
        });
      }
    }
    const withLe = [...this.labelNames, "le"];
    for (const s of series.values()) {
      this.buckets.forEach((b, i) =>
        lines.push(
          `${this.name}_bucket${formatLabels(withLe, [...s.values, String(b)])} ${s.counts[i]}`,
        )
      );
      lines.push(`${this.name}_bucket${formatLabels(withLe, [...s.values, "+Inf"])} ${s.count}`);
      const own = formatLabels(this.labelNames, s.values);
      lines.push(`${this.name}_sum${own} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${own} ${s.count}`);
    }
    return lines;
  }
}

export class Registry {
  #metrics: Metric[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: number[] = DURATION_BUCKETS,
  ): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  #add<M extends Metric>(m: M): M {
    if (this.#metrics.some((x) => x.name === m.name)) throw new Error(`duplicate: ${m.name}`);
    this.#metrics.push(m);
    return m;
  }

  snapshot(): RegistrySnapshot {
    return Object.fromEntries(this.#metrics.map((m) => [m.name, m.snapshot()]));
  }

  /**
   * The text exposition format 0.0.4 (ends with a newline); with `others`, the snapshots of the
   * other processes' registries, every series is the sum over all of them.
   */
  render(others: RegistrySnapshot[] = []): string {
    return this.#metrics.flatMap((m) => m.render(others.flatMap((o) => o[m.name] ?? [])))
      .join("\n") + "\n";
  }
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label values of the known outcomes, pre-set to 0 so that rates exist before the first event. */
export const SECOND_FACTOR_METHODS = ["totp", "recovery_code"] as const;
export const LOCKOUT_KINDS = ["password", "second_factor", "client"] as const;

/** twofold's metrics. */
export type Metrics = {
  registry: Registry;
  logins: Counter;
  secondFactor: Counter;
  lockouts: Counter;
  httpRequests: Counter;
  httpDuration: Histogram;
  housekeeping: Counter;
};

export function createMetrics(): Metrics {
  const registry = new Registry();
  const m: Metrics = {
    registry,
    logins: registry.counter(
      "twofold_logins_total",
      "Logins that ended: success (a session was issued) or failure (refused at the password).",
      ["outcome"],
    ),
    secondFactor: registry.counter(
      "twofold_second_factor_total",
      "Second-factor checks (logins, re-authentication, personal access tokens) by method, outcome.",
      ["method", "outcome"],
    ),
    lockouts: registry.counter(
      "twofold_lockouts_total",
      "Locks started: password (account), second_factor (account), client (address block).",
      ["kind"],
    ),
    httpRequests: registry.counter(
      "twofold_http_requests_total",
      "HTTP requests by method, matched route pattern and status.",
      ["method", "route", "status"],
    ),
    httpDuration: registry.histogram(
      "twofold_http_request_duration_seconds",
      "HTTP request latency by matched route pattern.",
      ["route"],
    ),
    housekeeping: registry.counter(
      "twofold_housekeeping_deleted_total",
      "Rows deleted by the housekeeping pass, by table.",
      ["table"],
    ),
  };
  for (const outcome of ["success", "failure"]) {
    m.logins.inc({ outcome }, 0);
    for (const method of SECOND_FACTOR_METHODS) m.secondFactor.inc({ method, outcome }, 0);
  }
  for (const kind of LOCKOUT_KINDS) m.lockouts.inc({ kind }, 0);
  return m;
}
