#!/bin/sh
# GNU gettext's msgfmt, which `manage.py compilemessages` runs to turn locale/*.po into the .mo
# files Django reads. Installed from Debian's package when missing, as install-chromium.sh does.
set -eu
if command -v msgfmt >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
    echo "error: msgfmt is missing; install Debian's 'gettext' package (as root)." >&2
    exit 1
fi
echo "installing Debian's gettext for compilemessages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
command -v msgfmt >/dev/null
