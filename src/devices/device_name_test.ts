import { assertEquals } from "../../tests/assert.ts";
import { deviceNameFromUserAgent } from "./device_name.ts";

Deno.test("deviceNameFromUserAgent() names common browsers and systems", () => {
  const cases: [string | null, string][] = [
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
      "Chrome on Linux",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
      "Safari on macOS",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
      "Firefox on Windows",
    ],
    [
      "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
      "Chrome on Android",
    ],
    ["curl/8.0", "Browser"],
    [null, "Unknown device"],
  ];
  for (const [ua, name] of cases) assertEquals(deviceNameFromUserAgent(ua), name);
});
