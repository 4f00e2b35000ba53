"""A test SMTP server (aiosmtpd): every message it accepts becomes one JSON file in a directory
(envelope, decoded headers, the text and HTML parts, the raw message).

usage: smtp_sink.py PORT DIR [--smtps CERT KEY | --starttls CERT KEY] [--auth USER:PASS]
Prints "ready" on stdout once it listens on 127.0.0.1:PORT; stops on SIGTERM.
"""
import email
import email.policy
import json
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, outdir = int(sys.argv[1]), sys.argv[2]
args = sys.argv[3:]
mode, cert, key, auth = "plain", None, None, None
while args:
    if args[0] in ("--smtps", "--starttls"):
        mode, cert, key, args = args[0][2:], args[1], args[2], args[3:]
    elif args[0] == "--auth":
        auth, args = args[1], args[2:]
    else:
        sys.exit(f"unknown argument {args[0]}")

count = 0


class Sink:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        raw = envelope.original_content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        record = {
            "envelope_from": envelope.mail_from,
            "envelope_to": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "tls": session.ssl is not None
            or server.transport.get_extra_info("ssl_object") is not None,
            "raw": raw.decode("utf-8", "replace"),
        }
        name = os.path.join(outdir, f"{count:04d}.json")
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)  # readers never see half a message
        return "250 OK"


def authenticator(server, session, envelope, mechanism, data):
    if isinstance(data, LoginPassword) and f"{data.login.decode()}:{data.password.decode()}" == auth:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


context = None
if cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

kwargs = {"hostname": "127.0.0.1", "port": port}
if mode == "smtps":
    kwargs["ssl_context"] = context
elif mode == "starttls":
    kwargs["tls_context"] = context
    kwargs["require_starttls"] = True
if auth:
    kwargs["authenticator"] = authenticator
    # aiosmtpd only counts STARTTLS as TLS; with smtps the whole session is TLS already.
    kwargs["auth_require_tls"] = mode == "starttls"
    kwargs["auth_required"] = True

controller = Controller(Sink(), **kwargs)
controller.start()
print("ready", flush=True)
signal.sigwait([signal.SIGTERM, signal.SIGINT])
controller.stop()
