import { assertEquals } from "../../tests/assert.ts";
import { smtpOptions } from "./smtp.ts";

Deno.test("smtpOptions(): smtps is TLS from the start, smtp needs STARTTLS except on loopback", () => {
  const tls = smtpOptions("smtps://u:p%40ss@mail.example.test");
  assertEquals([tls.port, tls.secure, tls.requireTLS], [465, true, false]);
  assertEquals(tls.auth, { user: "u", pass: "p@ss" });
  assertEquals(tls.tls?.rejectUnauthorized, true);
  assertEquals(tls.tls?.servername, "mail.example.test");
  const starttls = smtpOptions("smtp://mail.example.test");
  assertEquals([starttls.port, starttls.secure, starttls.requireTLS], [587, false, true]);
  assertEquals(starttls.auth, undefined);
  const local = smtpOptions("smtp://127.0.0.1:2525");
  assertEquals([local.port, local.requireTLS], [2525, false]);
  assertEquals(smtpOptions("smtp://localhost:25").requireTLS, false);
});
