#!/bin/sh
# Print the path of a Python 3.12+ interpreter, or fail with a clear message.
# Tries what is on PATH first, then the interpreters pyenv keeps (whose shims fail
# unless pyenv activates them), so a fresh machine needs no manual step.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.12 python3.13 python3.14 python3; do
    path=$(command -v "$name" 2>/dev/null) || continue
    if ok "$path"; then
        "$path" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3.1[2-9] 2>/dev/null | sort -V); do
    if ok "$path"; then
        echo "$path"
        exit 0
    fi
done
echo "error: no Python 3.12 or newer found (looked on PATH and under $root/versions)." >&2
echo "Install one (e.g. 'pyenv install 3.12') and run make again." >&2
exit 1
