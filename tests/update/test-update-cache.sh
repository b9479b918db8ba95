#!/bin/sh
# SPDX-License-Identifier: MIT
# The agent keeps the trusted TUF metadata between runs (--metadata-cache): a repository rolled back to
# older, validly signed metadata after a successful check is refused by the next run, and so is a bundle
# older than what the node has seen; a client without the cache would take both. A cache file that does not
# verify is ignored with a warning; a rotated root is kept.
# Usage: test-update-cache.sh UPDATE BULKHEAD_REPO MKVERITY
set -eu
lib=$(dirname "$(realpath "$0")")/lib.sh

update=$(realpath "$1")
repo_tool=$(realpath "$2")
mkverity=$(realpath "$3")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"

. "$lib"

for v in 1.0.0 2.0.0; do
        fake_image "$v" 65536
done
run_repo keys create --dir keys --type ed25519
run_repo init --repo repo --keys keys
run_repo add --repo repo --version 1.0.0 --image-dir images/1.0.0 --variant qemu --released 2025-01-01T00:00:00Z \
        --waves 0
run_repo sign --repo repo --keys keys
cp repo/metadata/1.root.json root.json
# What the repository publishes today, kept to be served again later, and as a bundle.
cp -r repo old-repo
run_repo bundle --repo old-repo --out old.tar
run_repo add --repo repo --version 2.0.0 --image-dir images/2.0.0 --variant qemu --released 2025-02-01T00:00:00Z \
        --waves 0
run_repo sign --repo repo --keys keys

check() { # REPO CACHE OUTPUT [more options]: check from 1.0.0
        repo=$1 cache=$2 output=$3
        shift 3
        rc=0
        "$update" check --root root.json --variant qemu --current-version 1.0.0 --seed 0 \
                --state state.json --metadata-cache "$cache" $repo "$@" >"$output" 2>&1 || rc=$?
}

# First run: the newer repository; the cache keeps what it trusted.
check "--repo repo" cache check.txt
[ "$rc" -eq 0 ] && grep -q '^available 2.0.0$' check.txt || fail "check: $(cat check.txt)"
for f in timestamp.json snapshot.json targets.json; do
        cmp -s "cache/$f" "repo/metadata/$f" || fail "cache/$f is not the repository's"
done
[ ! -e cache/1.root.json ] || fail "the cache keeps the shipped root"

# Second run: the repository serves yesterday's metadata again (validly signed, not expired). Refused as a
# rollback because of the first run; a node without the cache takes it.
check "--repo old-repo" cache check.txt
[ "$rc" -eq 1 ] && grep -q '^error: timestamp.json: version [0-9]* is older than trusted version [0-9]* (rollback)$' check.txt ||
        fail "rolled-back repository: $(cat check.txt)"
grep -q '"state": "error"' state.json || fail "rolled-back repository: state $(cat state.json)"
check "--repo old-repo" fresh-cache check.txt
[ "$rc" -eq 0 ] && grep -q '^up-to-date$' check.txt || fail "rolled-back repository, no cache: $(cat check.txt)"
# The same for a bundle made before the node saw the newer metadata.
check "--bundle old.tar" cache check.txt
[ "$rc" -eq 1 ] && grep -q '^error: timestamp.json: version [0-9]* is older than trusted version [0-9]* (rollback)$' check.txt ||
        fail "old bundle: $(cat check.txt)"
# The refusals left the cache alone: the repository itself still checks.
cmp -s cache/timestamp.json repo/metadata/timestamp.json || fail "a refused run changed the cache"
check "--repo repo" cache check.txt
[ "$rc" -eq 0 ] && grep -q '^available 2.0.0$' check.txt || fail "check after the refusals: $(cat check.txt)"

# A corrupt cache file is ignored, with a warning, and rewritten.
echo '{"signed": ' >cache/snapshot.json
check "--repo repo" cache check.txt
[ "$rc" -eq 0 ] && grep -q '^available 2.0.0$' check.txt || fail "corrupt cache: $(cat check.txt)"
grep -q "^update: Ignoring the cached metadata 'cache/snapshot.json': trusted snapshot.json: " check.txt ||
        fail "corrupt cache: no warning: $(cat check.txt)"
cmp -s cache/snapshot.json repo/metadata/snapshot.json || fail "the corrupt cache file was not replaced"

# A rotated root is kept, and the next run starts from it: the repository may stop serving 2.root.json.
run_repo keys create --dir keys2 --type ed25519
run_repo rotate-root --repo repo --keys keys --new-keys keys2
run_repo refresh --repo repo --keys keys2
check "--repo repo" cache check.txt
[ "$rc" -eq 0 ] && cmp -s cache/2.root.json repo/metadata/2.root.json || fail "rotated root: $(cat check.txt)"
mv repo/metadata/2.root.json 2.root.json.away
check "--repo repo" fresh-cache-2 check.txt
[ "$rc" -eq 1 ] && grep -q "^error: timestamp.json: signed by 0 of" check.txt ||
        fail "without 2.root.json and the cache, the new keys verified: $(cat check.txt)"
check "--repo repo" cache check.txt
[ "$rc" -eq 0 ] && grep -q '^available 2.0.0$' check.txt || fail "rotated root from the cache: $(cat check.txt)"
echo ok
