import { assertEquals, assertMatch, assertNotEquals } from "../../tests/assert.ts";
import { methodLabel, requestIdFrom, routeLabel } from "./request.ts";

Deno.test("requestIdFrom() keeps a short plain incoming id and replaces anything else", () => {
  assertEquals(requestIdFrom("abc-123_x.y"), "abc-123_x.y");
  assertEquals(requestIdFrom("a".repeat(64)), "a".repeat(64));
  for (const bad of [undefined, "", "a".repeat(65), "a b", "a\nb", "x;y", "é", '"x"']) {
    const id = requestIdFrom(bad);
    assertNotEquals(id, bad);
    assertMatch(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
});

Deno.test("methodLabel() folds unknown methods into one label", () => {
  assertEquals(methodLabel("GET"), "GET");
  assertEquals(methodLabel("PATCH"), "PATCH");
  assertEquals(methodLabel("PROPFIND"), "other");
  assertEquals(methodLabel("get"), "other");
});

Deno.test("routeLabel() names the route pattern, also when a middleware answered", () => {
  const mw = (path: string) => ({ method: "ALL", path });
  const route = (path: string) => ({ method: "GET", path });
  // The handler answered.
  assertEquals(routeLabel([mw("/*"), route("/users/:id")], 1), "/users/:id");
  // A guard in front of it answered: the route it guarded.
  assertEquals(
    routeLabel([mw("/*"), mw("/admin/*"), route("/admin/users/:id")], 1),
    "/admin/users/:id",
  );
  // Nothing matched: one label for every unknown path.
  assertEquals(routeLabel([mw("/*")], 0), "unmatched");
  assertEquals(routeLabel([], 0), "unmatched");
});
