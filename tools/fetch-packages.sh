#!/bin/bash
# SPDX-License-Identifier: MIT
# Makes sure every .deb of packages/<variant>.lock is in the download cache ($BULKHEAD_CACHE/debs) and that
# its SHA256 is the one the lock records. A mismatch is an error naming the package and both hashes; the bad
# file is moved aside so the next run downloads it again. Usage: tools/fetch-packages.sh VARIANT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"

variant=${1:?usage: fetch-packages.sh VARIANT}
top=$(cd "$here/.." && pwd)
lock=${LOCK:-$top/packages/$variant.lock}
[ -f "$lock" ] || die "no lock file '$lock' (run 'make lock')"
require_tools apt-get sha256sum
debs="$BULKHEAD_CACHE/debs"
mkdir -p "$debs"

missing=()
while read -r name version sha file; do
        [ -f "$debs/$(basename "$file")" ] || missing+=("$name=$version")
done < <(grep -v '^#' "$lock")

if [ ${#missing[@]} -gt 0 ]; then
        note "downloading ${#missing[@]} package(s) into $debs"
        (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}" >/dev/null) ||
                die "apt-get download failed for: ${missing[*]} (is the lock older than the archive? run 'make lock')"
        # apt names files name_EPOCH%3aVERSION_ARCH.deb; the cache uses the archive's own file name.
        while read -r name version sha file; do
                base=$(basename "$file")
                apt_name="${base%%_*}_${version/:/%3a}_${base##*_}"
                [ -f "$debs/$base" ] || [ ! -f "$debs/$apt_name" ] || mv "$debs/$apt_name" "$debs/$base"
        done < <(grep -v '^#' "$lock")
fi

bad=0
while read -r name version sha file; do
        deb="$debs/$(basename "$file")"
        [ -f "$deb" ] || die "package $name $version: '$deb' missing after download"
        got=$(sha256sum "$deb" | cut -d' ' -f1)
        if [ "$got" != "$sha" ]; then
                echo "error: package $name $version: sha256 mismatch for '$deb': lock has $sha, file has $got" >&2
                mv -f "$deb" "$deb.rejected"
                bad=1
        fi
done < <(grep -v '^#' "$lock")
[ $bad -eq 0 ] || die "refusing to build from packages that do not match $lock"
note "all $(grep -vc '^#' "$lock") packages verified against $lock"
