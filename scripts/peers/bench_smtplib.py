"""Baseline for `make bench`: Python's smtplib (a plain client) sends N UTF-8 multipart e-mails over one
STARTTLS + AUTH connection to the sink, one after the other. Prints the seconds taken."""
import smtplib, ssl, sys, time
from email.message import EmailMessage
port, n, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = smtplib.SMTP("127.0.0.1", port)
s.starttls(context=ssl.create_default_context(cafile=ca))
s.login("billing", "s3cret")
started = time.monotonic()
for i in range(n):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "Hostico <billing@hostico.test>", f"bench-{i}@example.test", "Găzduirea site.example a fost suspendată"
    m.set_content("Bună ziua,\n\ngăzduirea pentru site.example a fost suspendată (abuz). Contactați suportul.\n")
    m.add_alternative("<p>Bună ziua,</p><p>găzduirea pentru <b>site.example</b> a fost suspendată (abuz).</p>", subtype="html")
    s.send_message(m)
print("%.3f" % (time.monotonic() - started))
s.quit()
