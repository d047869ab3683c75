#!/bin/sh
# Make sure the system packages Kasir needs (Qt runtime libraries, poppler-utils) are present
# (Debian/Ubuntu).
# As root, install the missing ones; otherwise print the exact command to run.
missing=""
command -v dpkg-query >/dev/null 2>&1 || exit 0
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
    echo "Installing system packages (Qt runtime, poppler-utils):$missing"
    apt-get update -q >/dev/null && \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
else
    echo "Kasir needs these system packages (Qt runtime, poppler-utils). Run:"
    echo "    sudo apt-get install -y --no-install-recommends$missing"
    exit 1
fi
