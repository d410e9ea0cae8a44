#!/bin/sh
# Add Coder to this user's desktop (no root needed): menu entry, icons, and the .coder file
# type, so double-clicking a project opens it in Coder. Run it from the unpacked bundle:
#     ./install-linux.sh            install (or update after moving the folder)
#     ./install-linux.sh --remove   take it out of the menu again
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN="$HOME/.local/bin"
SIZES="16 24 32 48 64 128 256 512"

refresh() {
    command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" || true
    command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
}

if [ "${1:-}" = "--remove" ]; then
    rm -f "$BIN/coder" "$DATA/applications/coder.desktop" "$DATA/mime/packages/coder.xml"
    for s in $SIZES; do
        rm -f "$DATA/icons/hicolor/${s}x${s}/apps/coder.png" \
              "$DATA/icons/hicolor/${s}x${s}/mimetypes/application-x-coder-project.png"
    done
    rm -f "$DATA/icons/hicolor/scalable/apps/coder.svg" \
          "$DATA/icons/hicolor/scalable/mimetypes/application-x-coder-project.svg"
    refresh
    echo "Coder removed from the desktop menu (the folder $HERE is left as it is)."
    exit 0
fi

mkdir -p "$BIN" "$DATA/applications" "$DATA/mime/packages"
ln -sf "$HERE/coder" "$BIN/coder"
for s in $SIZES; do
    for kind in apps mimetypes; do
        mkdir -p "$DATA/icons/hicolor/${s}x${s}/$kind"
    done
    cp "$HERE/share/icons/coder-$s.png" "$DATA/icons/hicolor/${s}x${s}/apps/coder.png"
    cp "$HERE/share/icons/coder-$s.png" \
       "$DATA/icons/hicolor/${s}x${s}/mimetypes/application-x-coder-project.png"
done
mkdir -p "$DATA/icons/hicolor/scalable/apps" "$DATA/icons/hicolor/scalable/mimetypes"
cp "$HERE/share/icons/coder.svg" "$DATA/icons/hicolor/scalable/apps/coder.svg"
cp "$HERE/share/icons/coder.svg" "$DATA/icons/hicolor/scalable/mimetypes/application-x-coder-project.svg"
sed -e "s|^Exec=coder|Exec=\"$HERE/coder\"|" -e "s|^TryExec=coder|TryExec=$HERE/coder|" \
    "$HERE/share/coder.desktop" > "$DATA/applications/coder.desktop"
cp "$HERE/share/coder-mime.xml" "$DATA/mime/packages/coder.xml"
refresh
command -v xdg-mime >/dev/null && xdg-mime default coder.desktop application/x-coder-project || true
echo "Coder is in the desktop menu; .coder files open in it. ($BIN/coder starts it from a terminal.)"
