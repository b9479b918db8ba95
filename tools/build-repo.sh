#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the development update repository build/repo/ from the variant's image in build/images/<variant>/:
# keys made once into build/repo-keys/ (like the development Secure Boot key), init on first use, the
# image's version added unless it is already there, then signed. Usage: tools/build-repo.sh VARIANT [--init]
# --init only makes the keys and the repository's first root (the image build ships that root.json as the
# root of trust of its update agent).
# Environment: REPO_KEYS (key directory of your own), REPO_WAVES (start offsets in hours, "0,6,24,48"),
# REPO_DIR (another repository), IMAGES_DIR (images built elsewhere), VERSION (the version to add).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/variant.sh"

variant=${1:?usage: build-repo.sh VARIANT [--init]}
init_only=${2:-}
top=$(cd "$here/.." && pwd)
variant_load "$top/variants/$variant/variant.conf"
tool="$top/build/bin/bulkhead-repo"
repo=${REPO_DIR:-$top/build/repo}
keys=${REPO_KEYS:-$top/build/repo-keys}
images=${IMAGES_DIR:-$top/build/images}/$variant
[ -x "$tool" ] || die "'$tool' is missing (run 'make')"
version=${VERSION:-$VARIANT_version}

if [ ! -f "$keys/root.pem" ]; then
        [ -z "${REPO_KEYS:-}" ] || die "no keys in REPO_KEYS='$keys'"
        note "creating development repository keys in build/repo-keys (use REPO_KEYS for your own)"
        "$tool" keys create --dir "$keys" >"$keys.pub.json"
fi
if [ ! -f "$repo/metadata/1.root.json" ]; then
        note "initializing $repo (consistent snapshots)"
        "$tool" init --repo "$repo" --keys "$keys" --consistent-snapshot ${REPO_WAVES:+--waves "$REPO_WAVES"}
fi
[ "$init_only" = --init ] && exit 0
[ -f "$images/root.erofs" ] || die "no image in '$images' (run 'make image')"
if [ -d "$repo/targets/$variant-$version" ]; then
        note "$variant $version is already in the repository: only re-signing (raise 'version' in" \
                "variants/$variant/variant.conf to publish a new image)"
else
        note "adding $variant $version"
        "$tool" add --repo "$repo" --version "$version" --image-dir "$images" --variant "$variant" \
                ${REPO_WAVES:+--waves "$REPO_WAVES"}
fi
"$tool" sign --repo "$repo" --keys "$keys"
note "wrote $repo; clients trust $repo/metadata/1.root.json (check: update verify --root it --repo $repo)"
