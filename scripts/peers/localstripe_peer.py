"""localstripe (a Stripe API and Stripe.js stand-in from PyPI) on 127.0.0.1 only, starting empty.
usage: localstripe_peer.py PORT"""
import logging, sys
from aiohttp import web
from localstripe.server import app

port = int(sys.argv[1])
log = logging.getLogger("aiohttp.access")
log.setLevel(logging.INFO)
log.addHandler(logging.StreamHandler(sys.stdout))
print(f"localstripe on 127.0.0.1:{port}", flush=True)
web.run_app(app, host="127.0.0.1", port=port, access_log=log, print=None)
