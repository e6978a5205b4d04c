#!/usr/bin/env python3
"""ANAF's e-Factura web service as the tests meet it, on 127.0.0.1.

ANAF's own test environment needs the Internet and a qualified certificate, neither of which a test machine
has, and no package ships a stand-in. This peer speaks the published API (domain.md §2.4; ANAF's "prezentare api
efactura" document) and judges every upload with the official rules, as ANAF does: the UBL 2.1 XSD (xmllint)
and the CIUS-RO + EN 16931 schematrons (Saxon, vendor/efactura). An invoice the rules accept ends "ok" with a ZIP
holding the invoice and a signature file; one they refuse ends "nok" with a ZIP holding ANAF's error file.

  OAuth 2.0   GET  /anaf-oauth2/v1/authorize   → 302 to redirect_uri?code=…&state=… (no certificate prompt here)
              POST /anaf-oauth2/v1/token       grant_type=authorization_code | refresh_token, client_secret_basic;
                                               refresh tokens rotate (a used one is dead)
  e-Factura   POST /test/FCTEL/rest/upload?standard=UBL&cif=…      → respUploadFisier (index_incarcare)
              GET  /test/FCTEL/rest/stareMesaj?id_incarcare=…      → stareMesajFactura ("in prelucrare", ok, nok)
              GET  /test/FCTEL/rest/descarcare?id=…                → application/zip
  test hooks  POST /_sim/fail?count=N&status=S   the next N API calls answer S
              POST /_sim/expire                  every access token stops working (as after ANAF revokes them)
              POST /_sim/revoke                  every access and refresh token stops working
              POST /_sim/unsigned?count=N        the next N ZIPs of accepted invoices lack ANAF's signature
              GET  /_sim/uploads                 what was uploaded, with the verdict (JSON)

usage: anaf_sim.py PORT KIT_DIR CLIENT_ID CLIENT_SECRET [--processing-polls N]
"""
import argparse
import base64
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from saxonche import PySaxonProcessor

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
UBL_ID = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID"


class Rules:
    """The official checks, compiled once (Saxon takes seconds to compile the schematrons)."""

    def __init__(self, kit):
        self.xsd = os.path.join(kit, "xsd/maindoc/UBL-Invoice-2.1.xsd")
        self.proc = PySaxonProcessor(license=False)
        xslt = self.proc.new_xslt30_processor()
        self.exes = [xslt.compile_stylesheet(stylesheet_file=os.path.join(kit, "xslt", name))
                     for name in ("EN16931-CIUS_RO-UBL-validation_1.0.9.xslt", "EN16931-UBL-validation.xslt")]
        self.lock = threading.Lock()

    def check(self, xml_bytes):
        """[] when the invoice passes; otherwise ANAF-style messages ("E: … [BR-RO-010] …")."""
        with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as f:
            f.write(xml_bytes)
            path = f.name
        try:
            xsd = subprocess.run(["xmllint", "--noout", "--schema", self.xsd, path], capture_output=True, text=True)
            if xsd.returncode != 0:
                return ["E: validari xsd eroare: " + line.split(":", 2)[-1].strip()
                        for line in xsd.stderr.splitlines() if "validity error" in line or "parser error" in line][:20] or ["E: xsd"]
            errors = []
            with self.lock:  # one Saxon processor, used by one thread at a time
                for exe in self.exes:
                    svrl = exe.transform_to_string(source_file=path)
                    for el in ET.fromstring(svrl.encode("utf-8")).iter():
                        if el.tag in (SVRL + "failed-assert", SVRL + "successful-report") and el.get("flag", "fatal") not in ("warning", "information"):
                            text = " ".join("".join(el.find(SVRL + "text").itertext()).split())
                            errors.append(f"E: validari globale eroare: [{el.get('id', '')}] {text}")
            return errors
        finally:
            os.unlink(path)


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.codes = set()
        self.access = set()
        self.refresh = set()
        self.uploads = {}          # index → dict
        self.downloads = {}        # id_descarcare → index
        self.next_index = 5000000001
        self.fail = []             # statuses for the next API calls
        self.unsigned = 0          # the next N downloads of an accepted invoice lack the signature file
        self.rules = Rules(args.kit)

    def tokens(self):
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access.add(access)
        self.refresh.add(refresh)
        return {"access_token": access, "token_type": "Bearer", "refresh_token": refresh,
                "expires_in": self.args.token_seconds, "scope": ""}


def upload_xml(**attrs):
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<header xmlns="mfp:anaf:dgti:spv:respUploadFisier:v1" {text}/>'


def stare_xml(inner=None, **attrs):
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<header xmlns="mfp:anaf:dgti:efactura:stareMesajFactura:v1"'
    return head + (f" {text}" if text else "") + (f">{inner}</header>" if inner else "/>")


def escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None

    def log_message(self, fmt, *args):
        sys.stderr.write("anaf-sim: " + (fmt % args) + "\n")

    def answer(self, status, body, ctype="application/xml", headers=None):
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def bearer_ok(self):
        auth = self.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.state.access

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        s = self.state
        if url.path.startswith("/_sim/"):
            return self.hook(method, url.path, q)
        if url.path == "/anaf-oauth2/v1/authorize" and method == "GET":
            if q.get("client_id") != s.args.client_id or q.get("response_type") != "code" or not q.get("redirect_uri"):
                return self.answer(400, "invalid authorization request", "text/plain")
            code = secrets.token_urlsafe(16)
            with s.lock:
                s.codes.add((code, q["redirect_uri"]))
            sep = "&" if "?" in q["redirect_uri"] else "?"
            return self.answer(302, b"", "text/plain", {"Location": q["redirect_uri"] + sep + urlencode({"code": code, "state": q.get("state", "")})})
        if url.path == "/anaf-oauth2/v1/token" and method == "POST":
            return self.token()
        if not url.path.startswith("/test/FCTEL/rest/"):
            return self.answer(404, "not found", "text/plain")
        with s.lock:
            failing = s.fail.pop(0) if s.fail else None
        if failing:
            return self.answer(failing, '{"status":%d,"error":"Service Unavailable"}' % failing, "application/json")
        if not self.bearer_ok():
            return self.answer(401, '{"error":"invalid_token","error_description":"Access token expired or invalid"}', "application/json")
        name = url.path.rsplit("/", 1)[-1]
        if name == "upload" and method == "POST":
            return self.upload(q)
        if name == "stareMesaj" and method == "GET":
            return self.stare(q)
        if name == "descarcare" and method == "GET":
            return self.descarcare(q)
        return self.answer(404, "not found", "text/plain")

    def token(self):
        s = self.state
        auth = self.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{s.args.client_id}:{s.args.client_secret}".encode()).decode()
        if auth != expected:
            return self.answer(401, '{"error":"invalid_client"}', "application/json")
        form = {k: v[0] for k, v in parse_qs(self.body().decode()).items()}
        if form.get("token_content_type") != "jwt":
            return self.answer(400, '{"error":"invalid_request","error_description":"token_content_type=jwt"}', "application/json")
        with s.lock:
            grant = form.get("grant_type")
            if grant == "authorization_code" and (form.get("code"), form.get("redirect_uri")) in s.codes:
                s.codes.discard((form["code"], form["redirect_uri"]))
                return self.answer(200, json.dumps(s.tokens()), "application/json")
            if grant == "refresh_token" and form.get("refresh_token") in s.refresh:
                s.refresh.discard(form["refresh_token"])
                return self.answer(200, json.dumps(s.tokens()), "application/json")
        return self.answer(400, '{"error":"invalid_grant"}', "application/json")

    def upload(self, q):
        s = self.state
        now = time.strftime("%Y%m%d%H%M")
        if q.get("standard") not in ("UBL", "CN", "CII", "RASP"):
            return self.answer(200, upload_xml(dateResponse=now, ExecutionStatus="1").replace("/>", "><Errors errorMessage=\"Valorile acceptate pentru parametrul standard sunt UBL, CN, CII sau RASP\"/></header>"))
        cif = q.get("cif", "")
        if not cif.isdigit():
            return self.answer(200, upload_xml(dateResponse=now, ExecutionStatus="1").replace("/>", f"><Errors errorMessage=\"CIF introdus= {escape(cif)} nu este un numar\"/></header>"))
        xml = self.body()
        try:
            root = ET.fromstring(xml)
        except ET.ParseError as e:
            return self.answer(200, upload_xml(dateResponse=now, ExecutionStatus="1").replace("/>", f"><Errors errorMessage=\"Fisierul transmis nu este valid. {escape(str(e))}\"/></header>"))
        if root.tag != "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice":
            return self.answer(200, upload_xml(dateResponse=now, ExecutionStatus="1").replace("/>", f"><Errors errorMessage=\"Fisierul transmis nu este valid. cvc-elt.1.a: Cannot find the declaration of element '{escape(root.tag)}'.\"/></header>"))
        errors = s.rules.check(xml)
        number = root.findtext(UBL_ID) or ""
        with s.lock:
            index = str(s.next_index)
            s.next_index += 1
            s.uploads[index] = {"index": index, "cif": cif, "standard": q["standard"], "number": number, "xml": xml,
                                "errors": errors, "polls": 0, "download": None}
        return self.answer(200, upload_xml(dateResponse=now, ExecutionStatus="0", index_incarcare=index))

    def stare(self, q):
        s = self.state
        index = q.get("id_incarcare", "")
        with s.lock:
            u = s.uploads.get(index)
            if u is None:
                return self.answer(200, stare_xml(f'<Errors errorMessage="Nu exista factura cu id_incarcare= {escape(index)}"/>'))
            u["polls"] += 1
            if u["polls"] <= s.args.processing_polls:
                return self.answer(200, stare_xml(stare="in prelucrare"))
            if u["download"] is None:
                u["download"] = str(3000000000 + int(index) % 1000000000)
                s.downloads[u["download"]] = index
            return self.answer(200, stare_xml(stare="nok" if u["errors"] else "ok", id_descarcare=u["download"]))

    def descarcare(self, q):
        s = self.state
        with s.lock:
            index = s.downloads.get(q.get("id", ""))
            u = s.uploads.get(index) if index else None
        if u is None:
            return self.answer(200, '{"eroare":"Pentru id=%s nu exista inregistrata nici o factura","titlu":"Descarcare mesaj"}' % q.get("id", ""), "application/json")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            if u["errors"]:
                inner = "".join(f'<Error errorMessage="{escape(e)}"/>' for e in u["errors"])
                z.writestr(f"{index}.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<header xmlns="mfp:anaf:dgti:efactura:mesajEroriFactuta:v1" Index_incarcare="{index}" Cif_emitent="{u["cif"]}">{inner}</header>')
            else:
                z.writestr(f"{index}.xml", u["xml"])
                with s.lock:
                    skip = s.unsigned > 0
                    s.unsigned -= 1 if skip else 0
                if not skip:
                    z.writestr(f"semnatura_{index}.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/><SignatureValue>c2ltdWxhdGVk</SignatureValue></Signature>')
        return self.answer(200, buf.getvalue(), "application/zip", {"Content-Disposition": f'attachment; filename="{q["id"]}.zip"'})

    def hook(self, method, path, q):
        s = self.state
        with s.lock:
            if path == "/_sim/fail" and method == "POST":
                s.fail.extend([int(q.get("status", "503"))] * int(q.get("count", "1")))
                return self.answer(200, "ok", "text/plain")
            if path == "/_sim/expire" and method == "POST":
                s.access.clear()
                return self.answer(200, "ok", "text/plain")
            if path == "/_sim/unsigned" and method == "POST":
                s.unsigned += int(q.get("count", "1"))
                return self.answer(200, "ok", "text/plain")
            if path == "/_sim/revoke" and method == "POST":
                s.access.clear()
                s.refresh.clear()
                return self.answer(200, "ok", "text/plain")
            if path == "/_sim/uploads" and method == "GET":
                items = [{k: v for k, v in u.items() if k != "xml"} for u in s.uploads.values()]
                return self.answer(200, json.dumps(items), "application/json")
        return self.answer(404, "no such hook", "text/plain")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("kit")
    ap.add_argument("client_id")
    ap.add_argument("client_secret")
    ap.add_argument("--processing-polls", type=int, default=1, help="stareMesaj answers 'in prelucrare' this many times first")
    ap.add_argument("--token-seconds", type=int, default=7776000, help="expires_in of access tokens (ANAF: 90 days)")
    args = ap.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"ANAF simulator on 127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
