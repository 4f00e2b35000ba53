/**
 * @module A real SMTP server for tests: Debian's aiosmtpd (python3-aiosmtpd) on a free
 * 127.0.0.1 port, run by ./smtp_sink.py, which writes every accepted message as JSON to a
 * directory. Stop it and start it again on the same port to play a server that goes down.
 */

/** Debian's interpreter, where python3-aiosmtpd installs (a pyenv `python3` would lack it). */
const PYTHON = "/usr/bin/python3";
const SINK = new URL("./smtp_sink.py", import.meta.url).pathname;

export type ReceivedMail = {
  envelope_from: string;
  envelope_to: string[];
  from: string;
  to: string;
  subject: string;
  message_id: string;
  text: string | null;
  html: string | null;
  tls: boolean;
  raw: string;
};

export type SinkOptions = {
  port?: number;
  dir?: string;
  tls?: { mode: "smtps" | "starttls"; cert: string; key: string };
  auth?: string;
};

/** A port nothing listens on right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export class SmtpSink {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private child: Deno.ChildProcess,
    readonly options: SinkOptions,
  ) {}

  static async start(options: SinkOptions = {}): Promise<SmtpSink> {
    const port = options.port ?? freePort();
    const dir = options.dir ?? await Deno.makeTempDir({ prefix: "twofold-mail-" });
    const args = [SINK, String(port), dir];
    if (options.tls) args.push(`--${options.tls.mode}`, options.tls.cert, options.tls.key);
    if (options.auth) args.push("--auth", options.auth);
    const child = new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "inherit" }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) {
        await child.status;
        throw new Error(`the SMTP sink did not start (is python3-aiosmtpd installed?)`);
      }
      seen += value;
    }
    reader.releaseLock();
    child.stdout.cancel().catch(() => {});
    return new SmtpSink(port, dir, child, options);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Every mail received so far, oldest first. */
  async mails(): Promise<ReceivedMail[]> {
    const names: string[] = [];
    for await (const e of Deno.readDir(this.dir)) if (e.name.endsWith(".json")) names.push(e.name);
    names.sort();
    return await Promise.all(
      names.map(async (n) => JSON.parse(await Deno.readTextFile(`${this.dir}/${n}`))),
    );
  }

  /** Stops the server; the directory (and what it received) stays for a restart. */
  async stop(): Promise<void> {
    try {
      this.child.kill("SIGTERM");
    } catch { /* already gone */ }
    await this.child.status;
  }

  /** A new server on the same port and directory, as after a restart. */
  async restart(): Promise<SmtpSink> {
    return await SmtpSink.start({ ...this.options, port: this.port, dir: this.dir });
  }

  async remove(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** A self-signed certificate for 127.0.0.1 (openssl), for the TLS channels. */
export async function selfSignedCert(dir: string): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/cert.pem`, key = `${dir}/key.pem`;
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return { cert, key };
}
