import { assert, assertEquals } from "../../tests/assert.ts";
import { inAnyCidr, parseCidr, parseIp, rateLimitKey } from "./ip.ts";

Deno.test("parseIp() reads IPv4, IPv6, compressed and mapped forms and refuses junk", () => {
  assert(parseIp("192.168.1.20")?.v4);
  assert(parseIp("2001:db8::1") && !parseIp("2001:db8::1")!.v4);
  assert(parseIp("::ffff:10.1.2.3")?.v4);
  assert(parseIp("[::1]"));
  for (
    const bad of [
      "",
      "1.2.3",
      "256.1.1.1",
      "1.2.3.4.5",
      "2001:::1",
      "g::1",
      "1:2:3:4:5:6:7:8:9",
      "x",
    ]
  ) {
    assertEquals(parseIp(bad), null, bad);
  }
});

Deno.test("inAnyCidr() matches IPv4 and IPv6 ranges", () => {
  assert(inAnyCidr("10.20.30.40", ["10.0.0.0/8"]));
  assert(!inAnyCidr("11.0.0.1", ["10.0.0.0/8"]));
  assert(inAnyCidr("192.168.1.7", ["192.168.1.0/24", "bogus"]));
  assert(inAnyCidr("2001:db8:1:2::5", ["2001:db8::/32"]));
  assert(!inAnyCidr("2001:db9::5", ["2001:db8::/32"]));
  assert(inAnyCidr("::ffff:10.0.0.1", ["10.0.0.0/8"]));
  assert(inAnyCidr("203.0.113.9", ["203.0.113.9"]));
  assert(inAnyCidr("1.2.3.4", ["0.0.0.0/0"]));
  assert(!inAnyCidr(null, ["0.0.0.0/0"]));
  assertEquals(parseCidr("10.0.0.0/33"), null);
});

Deno.test("rateLimitKey() keys IPv6 by /64 and IPv4 by address", () => {
  assertEquals(rateLimitKey("2001:db8:aa:bb:1::1"), rateLimitKey("2001:db8:aa:bb:ffff::2"));
  assertEquals(rateLimitKey("2001:db8:aa:bb:1::1"), "2001:0db8:00aa:00bb::/64");
  assert(rateLimitKey("2001:db8:aa:bc::1") !== rateLimitKey("2001:db8:aa:bb::1"));
  assertEquals(rateLimitKey("::ffff:10.0.0.1"), "10.0.0.1");
  assertEquals(rateLimitKey(null), "unknown");
});
