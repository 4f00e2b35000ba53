/**
 * @module A small HTTP/1.1 keep-alive client over one TCP connection to 127.0.0.1.
 *
 * The load driver shares the machine's two cores with the server, so every microsecond it
 * spends per request is one the server cannot use. `fetch` costs several times more CPU per
 * request than writing the request bytes and reading back a Content-Length (or chunked) body,
 * which is all this does. It only ever connects to 127.0.0.1.
 */

export type HttpResponse = {
  status: number;
  body: string;
  /** The Set-Cookie header values, as sent; absent when there are none. */
  setCookies?: string[];
};

export type HttpRequest = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  /** JSON body, already serialised. */
  body?: string;
  bearer?: string;
  /** Other request headers (a cookie, an origin), name to value. */
  headers?: Record<string, string>;
};

const CRLFCRLF = [13, 10, 13, 10];
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const latin1 = new TextDecoder("latin1");

export class HttpConnection {
  #conn: Deno.TcpConn | null = null;
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  /** performance.now() when the request in flight was sent; 0 when idle. */
  inFlightSince = 0;

  constructor(readonly port: number, readonly hostHeader = `127.0.0.1:${port}`) {}

  /** The local port of the open connection (null before the first request or after close). */
  get localPort(): number | null {
    return this.#conn ? (this.#conn.localAddr as Deno.NetAddr).port : null;
  }

  close(): void {
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
    this.#conn = null;
    this.#start = this.#end = 0;
  }

  /** Sends one request and reads its whole response; reconnects once if a kept-alive
   * connection turns out to be closed before any response byte arrived. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const bytes = this.#encode(req);
    for (let attempt = 0;; attempt++) {
      const reused = this.#conn !== null;
      if (!this.#conn) {
        this.#conn = await Deno.connect({ hostname: "127.0.0.1", port: this.port });
        this.#conn.setNoDelay(true);
      }
      this.inFlightSince = performance.now();
      try {
        await this.#writeAll(bytes);
        return await this.#readResponse();
      } catch (e) {
        this.close();
        if (!(e instanceof StaleConnection) || !reused || attempt > 0) throw e;
      } finally {
        this.inFlightSince = 0;
      }
    }
  }

  #encode(req: HttpRequest): Uint8Array {
    let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n` +
      `user-agent: twofold-bench\r\naccept: application/json\r\n`;
    if (req.bearer) head += `authorization: Bearer ${req.bearer}\r\n`;
    if (req.headers) {
      for (const [name, value] of Object.entries(req.headers)) head += `${name}: ${value}\r\n`;
    }
    if (req.body !== undefined) {
      const body = encoder.encode(req.body);
      head += `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
      const h = encoder.encode(head);
      const out = new Uint8Array(h.length + body.length);
      out.set(h);
      out.set(body, h.length);
      return out;
    }
    return encoder.encode(head + "\r\n");
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.#conn!.write(bytes.subarray(off));
  }

  /** Reads more bytes into the buffer; false at end of stream. */
  async #fill(): Promise<boolean> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      } else {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
    }
    const n = await this.#conn!.read(this.#buf.subarray(this.#end));
    if (n === null) return false;
    this.#end += n;
    return true;
  }

  #indexOf(seq: number[], from: number): number {
    const b = this.#buf;
    outer: for (let i = from; i + seq.length <= this.#end; i++) {
      for (let j = 0; j < seq.length; j++) if (b[i + j] !== seq[j]) continue outer;
      return i;
    }
    return -1;
  }

  /** Takes `n` bytes from the buffer, reading as needed. */
  async #take(n: number): Promise<Uint8Array> {
    while (this.#end - this.#start < n) {
      if (!(await this.#fill())) throw new Error("connection closed inside a response body");
    }
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  async #line(): Promise<string> {
    let i;
    while ((i = this.#indexOf([13, 10], this.#start)) < 0) {
      if (!(await this.#fill())) throw new Error("connection closed inside a chunked body");
    }
    const s = latin1.decode(this.#buf.subarray(this.#start, i));
    this.#start = i + 2;
    return s;
  }

  async #readResponse(): Promise<HttpResponse> {
    let end;
    // Where to resume the search, relative to #start (#fill may move the buffered bytes).
    let scanned = 0;
    while ((end = this.#indexOf(CRLFCRLF, this.#start + scanned)) < 0) {
      scanned = Math.max(0, this.#end - this.#start - 3);
      const got = await this.#fill();
      if (!got) {
        if (this.#end === this.#start) throw new StaleConnection();
        throw new Error("connection closed inside response headers");
      }
    }
    const head = latin1.decode(this.#buf.subarray(this.#start, end));
    this.#start = end + 4;
    const lines = head.split("\r\n");
    const status = Number(lines[0].split(" ")[1]);
    let length = -1;
    let chunked = false;
    let close = false;
    let setCookies: string[] | undefined;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k];
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === "content-length") length = Number(value);
      else if (name === "transfer-encoding") chunked = value.includes("chunked");
      else if (name === "connection") close = value.includes("close");
      else if (name === "set-cookie") (setCookies ??= []).push(line.slice(colon + 1).trim());
    }
    let body: string;
    if (status === 204 || status === 304) {
      body = ""; // no body, whatever the headers say (RFC 9112 6.3)
    } else if (chunked) {
      const parts: Uint8Array[] = [];
      for (;;) {
        const size = parseInt((await this.#line()).split(";")[0], 16);
        if (size === 0) {
          while ((await this.#line()) !== "");
          break;
        }
        parts.push(await this.#take(size));
        await this.#line();
      }
      const total = parts.reduce((n, p) => n + p.length, 0);
      const all = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        all.set(p, off);
        off += p.length;
      }
      body = decoder.decode(all);
    } else if (length >= 0) {
      body = decoder.decode(await this.#take(length));
    } else {
      while (await this.#fill());
      body = decoder.decode(this.#buf.subarray(this.#start, this.#end));
      this.#start = this.#end;
      close = true;
    }
    if (close) this.close();
    return setCookies ? { status, body, setCookies } : { status, body };
  }
}

class StaleConnection extends Error {
  constructor() {
    super("connection closed before a response");
  }
}

/**
 * Closes any connection whose request has waited longer than `timeoutMs`, so that its pending
 * read fails instead of hanging the run. Returns a function that stops the watchdog.
 */
export function startWatchdog(conns: HttpConnection[], timeoutMs = 30_000): () => void {
  const timer = setInterval(() => {
    const now = performance.now();
    for (const c of conns) {
      if (c.inFlightSince && now - c.inFlightSince > timeoutMs) c.close();
    }
  }, 1000);
  return () => clearInterval(timer);
}
