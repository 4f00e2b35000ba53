import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { createMetrics, Registry } from "./metrics.ts";

/** Each line of the text format is a comment or `name{labels} value` (the 0.0.4 grammar). */
const SAMPLE_LINE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/;

Deno.test("Registry.render() writes HELP, TYPE and one line per series", () => {
  const r = new Registry();
  const c = r.counter("jobs_total", "Jobs done.", ["kind"]);
  c.inc({ kind: "a" });
  c.inc({ kind: "a" }, 2);
  c.inc({ kind: "b" });
  assertEquals(
    r.render(),
    '# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total{kind="a"} 3\njobs_total{kind="b"} 1\n',
  );
});

Deno.test("Registry.render() escapes label values and help text", () => {
  const r = new Registry();
  r.counter("x_total", "a \\ and\na newline", ["v"]).inc({ v: 'quote " back \\ nl \n end' });
  const text = r.render();
  assertStringIncludes(text, "# HELP x_total a \\\\ and\\na newline\n");
  assertStringIncludes(text, 'x_total{v="quote \\" back \\\\ nl \\n end"} 1\n');
  for (const line of text.trimEnd().split("\n")) {
    assert(line.startsWith("#") || SAMPLE_LINE.test(line), line);
  }
});

Deno.test("Histogram counts cumulative buckets, +Inf, sum and count", () => {
  const r = new Registry();
  const h = r.histogram("d_seconds", "Durations.", ["route"], [0.1, 1]);
  h.observe({ route: "/a" }, 0.05);
  h.observe({ route: "/a" }, 0.5);
  h.observe({ route: "/a" }, 3);
  assertEquals(r.render().trimEnd().split("\n").slice(2), [
    'd_seconds_bucket{route="/a",le="0.1"} 1',
    'd_seconds_bucket{route="/a",le="1"} 2',
    'd_seconds_bucket{route="/a",le="+Inf"} 3',
    'd_seconds_sum{route="/a"} 3.55',
    'd_seconds_count{route="/a"} 3',
  ]);
});

Deno.test("metrics refuse wrong labels, negative steps and duplicate names", () => {
  const r = new Registry();
  const c = r.counter("y_total", "Y.", ["a"]);
  const throws = (f: () => unknown) => {
    try {
      f();
    } catch {
      return true;
    }
    return false;
  };
  assert(throws(() => c.inc({})));
  assert(throws(() => c.inc({ a: "1", b: "2" })));
  assert(throws(() => c.inc({ b: "1" })));
  assert(throws(() => c.inc({ a: "1" }, -1)));
  assert(throws(() => r.counter("y_total", "again")));
  assert(throws(() => r.counter("bad-name", "x")));
  assert(throws(() => r.histogram("h", "x", ["le"])));
});

Deno.test("createMetrics() starts every known login, second-factor and lock series at 0", () => {
  const text = createMetrics().registry.render();
  for (
    const line of [
      'twofold_logins_total{outcome="success"} 0',
      'twofold_logins_total{outcome="failure"} 0',
      'twofold_second_factor_total{method="totp",outcome="success"} 0',
      'twofold_second_factor_total{method="recovery_code",outcome="failure"} 0',
      'twofold_lockouts_total{kind="password"} 0',
      'twofold_lockouts_total{kind="second_factor"} 0',
      'twofold_lockouts_total{kind="client"} 0',
      "# TYPE twofold_http_requests_total counter",
      "# TYPE twofold_http_request_duration_seconds histogram",
    ]
  ) {
    assertStringIncludes(text, line + "\n");
  }
});
