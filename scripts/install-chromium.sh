#!/bin/sh
# Debian's Chromium for the browser tests. Playwright drives it at /usr/bin/chromium; it never
# downloads a browser of its own.
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
    echo "error: /usr/bin/chromium is missing; install Debian's 'chromium' package (as root)." >&2
    exit 1
fi
echo "installing Debian's chromium for the browser tests" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
