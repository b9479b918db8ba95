#!/bin/sh
# SPDX-License-Identifier: MIT
# Resumable downloads, end to end on the host: a repository made by bulkhead-repo served over HTTP by
# test-http-server.py, which breaks transfers off after a number of bytes. `update apply` must resume the
# root image where it stopped (Range) or skip what it has (a server without ranges), feed the same
# decompressor and hash, write the right bytes and log each resume; more breaks than its retry budget, or
# a server answering a resume with the wrong bytes, must fail the apply with a clear error and stage
# nothing. Broken metadata transfers are fetched again whole.
# Usage: test-update-resume.sh UPDATE BULKHEAD_REPO MKVERITY
set -eu
lib=$(dirname "$(realpath "$0")")/lib.sh

update=$(realpath "$1")
repo_tool=$(realpath "$2")
mkverity=$(realpath "$3")
server_py=$(dirname "$(realpath "$0")")/test-http-server.py
command -v python3 >/dev/null || { echo "SKIP: no python3 for the test HTTP server"; exit 77; }
out=$(mktemp -d)
server_pid=
stop_server() {
        [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
        server_pid=
}
trap 'stop_server; rm -rf "$out"' EXIT
cd "$out"

. "$lib"
start_server() { # SERVER OPTIONS...
        stop_server
        rm -f port server.log
        python3 "$server_py" --dir repo --port-file port --log server.log "$@" &
        server_pid=$!
        i=0
        while [ ! -s port ]; do
                i=$((i + 1))
                [ "$i" -lt 100 ] || fail "the test HTTP server did not start"
                sleep 0.1
        done
        url="http://127.0.0.1:$(cat port)"
}

# 512 KiB of random bytes: zstd cannot shrink them, so the root target is about as large, and breaks
# after 100000 bytes land inside it.
fake_image 2.0.0 524288
run_repo keys create --dir keys --type ed25519
run_repo init --repo repo --keys keys
run_repo add --repo repo --version 2.0.0 --image-dir images/2.0.0 --variant qemu --compress zstd \
        --released 2025-03-01T00:00:00Z --waves 0
run_repo sign --repo repo --keys keys
cp repo/metadata/1.root.json root.json
root_target=$(cd repo/targets && find . -name '*root.erofs.zst' | sed 's|^\./||')
[ -n "$root_target" ] || fail "no root target in the repository"
size=$(stat -c %s "repo/targets/$root_target")
[ "$size" -gt 400000 ] || fail "the root target is only $size bytes"

apply_once() { # OUTPUT: apply 2.0.0 into fresh partition files
        rm -rf esp mig root.part verity.part state.json
        mkdir -p esp/EFI/Linux
        head -c 1048576 /dev/zero >root.part
        head -c 1048576 /dev/zero >verity.part
        rc=0
        "$update" apply --root root.json --repo "$url" --variant qemu --current-version 1.0.0 --seed 0 \
                --now 2025-03-01T06:00:00Z --state state.json --metadata-cache cache --current-set a --esp esp --root-dev root.part \
                --verity-dev verity.part --migrations-dir mig >"$1" 2>&1 || rc=$?
}
assert_installed() { # WHAT
        [ "$rc" -eq 0 ] && grep -q '^ready 2.0.0 b$' apply.txt || fail "$1: $(cat apply.txt)"
        head -c 524288 root.part | cmp -s - images/2.0.0/root.erofs || fail "$1: root.part does not hold 2.0.0"
        cmp -s esp/EFI/Linux/bulkhead-2.0.0-b+3.efi images/2.0.0/uki-b.efi || fail "$1: no UKI"
}
assert_resumes() { # WHAT OFFSET...: one resume line per offset, in order
        what=$1
        shift
        grep "resuming at byte" apply.txt | sed -n 's/.* resuming at byte \([0-9]*\), attempt.*/\1/p' >offsets.txt
        [ "$(echo $(cat offsets.txt))" = "$*" ] || fail "$what: resumed at $(echo $(cat offsets.txt)), not $*: $(cat apply.txt)"
        grep -q "^update: download of '$root_target' broke off at byte" apply.txt ||
                fail "$what: the resume lines do not name the target: $(cat apply.txt)"
}

# A server that honours Range: three breaks, each resumed where the last one stopped.
start_server --cut root.erofs.zst:100000:3
apply_once apply.txt
assert_installed "apply with ranges"
assert_resumes "apply with ranges" 100000 200000 300000
grep "root.erofs.zst" server.log | awk '{print $2, $3}' >requests.txt
[ "$(sed -n 2p requests.txt)" = "bytes=100000- 206" ] && [ "$(sed -n 4p requests.txt)" = "bytes=300000- 206" ] ||
        fail "apply with ranges: requests were $(cat requests.txt)"
grep -q "attempt 3 of 5" apply.txt || fail "apply with ranges: no attempt count: $(cat apply.txt)"

# A server without range support: every request gets the whole file, the agent skips what it has. Each
# break cuts at 100000 bytes of the body, so only the last request gets further.
start_server --cut root.erofs.zst:100000:3 --range ignore
apply_once apply.txt
assert_installed "apply without ranges"
assert_resumes "apply without ranges" 100000 100000 100000
[ "$(grep -c 'root.erofs.zst bytes=100000- 200' server.log)" -eq 3 ] ||
        fail "apply without ranges: $(cat server.log)"

# More breaks than the budget: the apply fails naming the target and where it stopped; nothing is staged.
start_server --cut root.erofs.zst:50000:10
apply_once apply.txt
[ "$rc" -eq 1 ] || fail "too many breaks, but apply succeeded: $(cat apply.txt)"
grep -q "^error: $root_target: download failed: .*broke off at byte 300000, gave up after 5 resumes" apply.txt ||
        fail "too many breaks: $(cat apply.txt)"
assert_resumes "too many breaks" 50000 100000 150000 200000 250000
grep -q '"state": "error"' state.json || fail "too many breaks: state $(cat state.json)"
[ -z "$(ls -A esp/EFI/Linux)" ] || fail "too many breaks, but a UKI was staged: $(ls esp/EFI/Linux)"

# A server answering a resume with bytes from elsewhere: refused at once, naming target and offset.
start_server --cut root.erofs.zst:100000:1 --range wrong
apply_once apply.txt
[ "$rc" -eq 1 ] &&
        grep -q "^error: $root_target: download failed: .*resuming at byte 100000: the server sent bytes from 0" apply.txt ||
        fail "wrong Content-Range: $(cat apply.txt)"
[ -z "$(ls -A esp/EFI/Linux)" ] || fail "wrong Content-Range, but a UKI was staged"

# Broken metadata transfers are fetched again from the start.
start_server --cut timestamp.json:50:2
rc=0
"$update" check --root root.json --repo "$url" --variant qemu --current-version 1.0.0 --seed 0 \
        --now 2025-03-01T06:00:00Z --state state.json --metadata-cache cache >check.txt 2>&1 || rc=$?
[ "$rc" -eq 0 ] && grep -q '^available 2.0.0$' check.txt || fail "check with broken metadata: $(cat check.txt)"
[ "$(grep -c "download of 'timestamp.json' broke off .*fetching it again" check.txt)" -eq 2 ] ||
        fail "check with broken metadata: $(cat check.txt)"
[ "$(grep -c '^/metadata/timestamp.json - 200' server.log)" -eq 3 ] || fail "timestamp requests: $(cat server.log)"
stop_server
echo ok
