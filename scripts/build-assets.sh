#!/bin/sh
# Build the browser's hashing runtime into build/static/pyodide/<version>/ (served by whitenoise,
# never committed): Pyodide's core files from npm, our hashing_wasm wheel beside them, and a
# pyodide-lock.json that lists the wheel with its sha256 so the page loads it by name.
set -eu
version=${1:?usage: build-assets.sh PYODIDE_VERSION}
src=node_modules/pyodide
out=build/static/pyodide/$version
rm -rf build/static/pyodide build/wheel
mkdir -p "$out" build/wheel
for f in pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm python_stdlib.zip; do
    cp "$src/$f" "$out/$f"
done
.venv/bin/uv build --quiet --wheel --no-build-isolation --out-dir build/wheel hashing_wasm
cp build/wheel/hashing_wasm-*.whl "$out/"
.venv/bin/pyodide lockfile add-wheels \
    --input "$src/pyodide-lock.json" --output "$out/pyodide-lock.json" \
    --base-path "$out" "$out"/hashing_wasm-*.whl
echo "built $out"
