#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages of a list (one per line, '#' comments) that are not installed yet.
# Quiet and quick when nothing is missing, so every make target can depend on it.
set -euo pipefail
list=${1:?usage: install-deps.sh LIST}
mapfile -t want < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
missing=()
for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
        echo "error: missing packages: ${missing[*]} (run 'make deps' as root)" >&2
        exit 1
fi
echo ">> installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
