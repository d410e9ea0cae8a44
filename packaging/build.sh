#!/usr/bin/env bash
# Build the desktop bundle (one folder) from a checkout: dist/Coder/
#
#   packaging/build.sh            clean venv under build/packaging/venv, then build
#   PYTHON=python3.12 packaging/build.sh
#   CODER_BUILD_VENV=/path/venv packaging/build.sh   reuse (or create) a venv elsewhere
#
# Steps: make/refresh the build venv; install Coder (from this checkout, not editable) and
# PyInstaller; render the icons from resources/icons/coder.svg (PNG, .ico, .icns); run
# packaging/coder.spec; print the bundle's size and check it starts (--version).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build/packaging"
VENV="${CODER_BUILD_VENV:-$BUILD/venv}"
PYTHON="${PYTHON:-python3}"
PYINSTALLER_SPEC="${PYINSTALLER_SPEC:-pyinstaller>=6.5,<7}"
start=$(date +%s)

mkdir -p "$BUILD"
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating the build venv: $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

echo "== installing Coder and PyInstaller"
"$PY" -m pip install --quiet --upgrade pip
# A wheel build of this checkout (what users get), plus the bundler.
"$PY" -m pip install --quiet --upgrade "$ROOT" "$PYINSTALLER_SPEC"

echo "== rendering icons"
QT_QPA_PLATFORM=offscreen "$PY" "$ROOT/packaging/make_icons.py" --out "$BUILD/icons" >/dev/null

echo "== bundling"
CODER_ICONS="$BUILD/icons" "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$BUILD/work" "$ROOT/packaging/coder.spec"

BUNDLE="$ROOT/dist/Coder"
EXE="$BUNDLE/coder"
[ -x "$EXE" ] || EXE="$BUNDLE/Coder.exe"
# Debug symbols of a Python built from source (pyenv, ...): libpython alone drops from ~23 MB
# to ~4 MB. Only the interpreter's own files: wheels' libraries are already stripped, and
# stripping those patched by auditwheel breaks them.
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null; then
    find "$BUNDLE/_internal" -maxdepth 1 -name 'libpython3*.so*' -type f -exec strip --strip-debug {} +
    find "$BUNDLE/_internal" -path '*/lib-dynload/*.so' -type f -exec strip --strip-debug {} +
fi
# Icons for the Linux desktop entry travel with the bundle.
if [ "$(uname -s)" = Linux ]; then
    mkdir -p "$BUNDLE/share"
    cp -r "$BUILD/icons" "$BUNDLE/share/icons"
    cp "$ROOT/packaging/coder.desktop" "$ROOT/packaging/coder-mime.xml" "$BUNDLE/share/"
    cp "$ROOT/packaging/install-linux.sh" "$BUNDLE/"
fi

echo "== checking"
QT_QPA_PLATFORM=offscreen "$EXE" --version
size=$(du -sm "$BUNDLE" | cut -f1)
echo "bundle: $BUNDLE ($size MB), built in $(( $(date +%s) - start )) s"
