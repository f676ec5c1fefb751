#!/bin/sh
# Install Debian packages when a command the build or the tests need is missing:
#   scripts/apt-install.sh COMMAND PACKAGE...
# e.g. Chromium for the browser tests (Playwright never downloads a browser here), gettext's
# msgfmt for compilemessages, nginx to check our nginx configuration. Fails loudly when the
# command is missing and this is not root.
set -eu
command=${1:?usage: apt-install.sh COMMAND PACKAGE...}
shift
if command -v "$command" >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
    echo "error: $command is missing; install Debian's package(s) $* (as root)." >&2
    exit 1
fi
echo "installing Debian's $* (for $command)" >&2
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
fi
command -v "$command" >/dev/null
