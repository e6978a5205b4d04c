#!/bin/sh
# Installs what the build and the tests need on a fresh Debian 12 machine (as root). Idempotent.
set -eu
command -v swift >/dev/null 2>&1 || { echo "The Swift 6.3 toolchain must be on PATH (swift --version)." >&2; exit 1; }
missing=""
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing="$missing postgresql-15"
command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
python3 -m venv --help >/dev/null 2>&1 || missing="$missing python3-venv"
# cairo + pango render invoice PDFs (DejaVu for Latin, Lohit for Devanagari); poppler reads them back in tests.
pkg-config --exists pangocairo 2>/dev/null || missing="$missing libpango1.0-dev libcairo2-dev pkg-config"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
fc-list 2>/dev/null | grep -qi lohit.*devanagari || missing="$missing fonts-lohit-deva"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
# nginx serves the sites the nginx-vhost provisioner manages in the provisioning tests (not started as a service).
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
# xmllint checks e-Factura XML against the UBL 2.1 schema.
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
# Kannel (bearerbox, smsbox and its fake SMSC) is a test peer for the Kannel SMS transport.
[ -x /usr/sbin/bearerbox ] && [ -x /usr/lib/kannel/test/fakesmsc ] || missing="$missing kannel kannel-extras"
# libqrencode draws the QR code of the 2FA set-up page.
# zlib inflates the ZIP files ANAF answers with (ZIPFoundation).
pkg-config --exists zlib 2>/dev/null || missing="$missing zlib1g-dev"
pkg-config --exists libqrencode 2>/dev/null || missing="$missing libqrencode-dev"
# Headless Chromium and its driver run the end-to-end browser suite; wrk loads the server in the benchmark.
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || missing="$missing chromium chromium-driver"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
if [ -n "$missing" ]; then
  echo "Installing Debian packages:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
