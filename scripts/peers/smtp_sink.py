"""SMTP sink for the tests: aiosmtpd on 127.0.0.1 with STARTTLS (the test CA's certificate) and AUTH PLAIN/LOGIN
(only after TLS, user "billing" / "s3cret"). Each message is saved as <dir>/NNNN.eml, its envelope as NNNN.json.
usage: smtp_sink.py DIR PORT CERT KEY"""
import itertools, json, os, signal, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
os.makedirs(out, exist_ok=True)
counter = itertools.count(1)

class Sink:
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        with open(os.path.join(out, f"{n:04d}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(out, f"{n:04d}.json"), "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None,
                       "auth": session.auth_data.login.decode() if session.authenticated else None}, f)
        return f"250 OK queued as Q{n:04d}"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"billing" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False, auth_data=auth_data)

ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
c = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
               authenticator=authenticator, auth_required=True, auth_require_tls=True)
c.start()
print(f"SMTP sink on 127.0.0.1:{port} -> {out}", flush=True)
signal.signal(signal.SIGTERM, lambda *_: (c.stop(), sys.exit(0)))
signal.pause()
