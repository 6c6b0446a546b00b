#!/usr/bin/env bash
# Debian packages ogi needs beside its Python dependencies: CJK fonts and HarfBuzz for
# WeasyPrint's PDF, LibreOffice for legacy .doc/.wps input and the DOCX check, Chromium
# for the browser tests, PostgreSQL for the tests on a server database.
# Installs only what is missing; needs root (or sudo).
set -euo pipefail

packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 libreoffice-writer-nogui chromium postgresql make)
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
