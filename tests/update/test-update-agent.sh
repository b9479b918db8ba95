#!/bin/sh
# SPDX-License-Identifier: MIT
# The update agent end to end on the host: a repository made by bulkhead-repo with versions 1.0.0 and 2.0.0
# of fake images (random bytes, real dm-verity trees from mkverity), a GPT disk image from mkdisk, and a
# directory for the ESP. check, apply, cancel and rollback as a node runs them, and their refusals.
# Usage: test-update-agent.sh UPDATE BULKHEAD_REPO MKVERITY MKDISK
set -eu
lib=$(dirname "$(realpath "$0")")/lib.sh

update=$(realpath "$1")
repo_tool=$(realpath "$2")
mkverity=$(realpath "$3")
mkdisk=$(realpath "$4")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"

. "$lib"
state_is() { # STATE [VERSION]
        grep -q "\"state\": \"$1\"" state.json || fail "state is not $1: $(cat state.json)"
        [ $# -lt 2 ] || grep -q "\"version\": \"$2\"" state.json || fail "state version not $2: $(cat state.json)"
}

# Two image versions as tools/build-image.sh leaves them; 64 KiB roots are 16 verity data blocks.
for v in 1.0.0 2.0.0; do
        fake_image "$v" 65536
done
# 2.0.0 adds a key, and takes it away again when 1.0.0 boots after it.
printf '1.0.0 2.0.0 add-greeting\n2.0.0 1.0.0 remove-greeting\n' >images/2.0.0/migrations.txt
mkdir images/2.0.0/migrations
printf '{"format": 1, "name": "add-greeting", "steps": [{"op": "add", "key": "settings.greeting", "value": "hi"}]}' \
        >images/2.0.0/migrations/add-greeting.json
printf '{"format": 1, "name": "remove-greeting", "steps": [{"op": "remove", "key": "settings.greeting"}]}' \
        >images/2.0.0/migrations/remove-greeting.json
run_repo keys create --dir keys --type ed25519
run_repo init --repo repo --keys keys
run_repo add --repo repo --version 1.0.0 --image-dir images/1.0.0 --variant qemu --compress xz \
        --released 2025-01-01T00:00:00Z --waves 0
# Seeds 0-1023 may install at release, 1024-2047 a day later.
run_repo add --repo repo --version 2.0.0 --image-dir images/2.0.0 --variant qemu --compress zstd \
        --released 2025-03-01T00:00:00Z --waves 0,24
run_repo sign --repo repo --keys keys

root=repo/metadata/1.root.json
now=2025-03-01T06:00:00Z
common="--root $root --repo repo --variant qemu --state state.json --metadata-cache cache --now $now"

# check
[ "$("$update" check $common --current-version 1.0.0 --seed 0)" = "available 2.0.0" ] || fail "check: 2.0.0"
state_is available 2.0.0
[ "$("$update" check $common --current-version 1.0.0 --seed 0 --version-lock 1.0.0)" = up-to-date ] ||
        fail "check: locked to 1.0.0"
state_is idle
[ "$("$update" check $common --current-version 2.0.0 --seed 0)" = up-to-date ] || fail "check: at 2.0.0"
[ "$("$update" check $common --current-version 1.0.0 --seed 2000)" = up-to-date ] ||
        fail "check: the second wave has not started"
[ "$("$update" check $common --current-version 1.0.0 --seed 2000 --ignore-waves)" = "available 2.0.0" ] ||
        fail "check: --ignore-waves"
[ "$("$update" check $common --current-version 1.0.0 --seed 2000 --now 2025-03-02T01:00:00Z)" = \
        "available 2.0.0" ] || fail "check: the second wave started"
[ "$("$update" check $common --current-version 0.1.0 --seed 0 --version-lock 1.0.0)" = "available 1.0.0" ] ||
        fail "check: lock to an older release"
[ "$("$update" check $common --current-version 0.1.0 --seed 0 --skip-version 2.0.0)" = "available 1.0.0" ] ||
        fail "check: --skip-version passes over 2.0.0"
[ "$("$update" check $common --current-version 1.0.0 --seed 0 --skip-version 2.0.0)" = up-to-date ] ||
        fail "check: --skip-version leaves nothing"
rc=0
"$update" check $common --current-version 1.0.0 --seed 0 --now 2999-01-01T00:00:00Z >check.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q '^error: .*expired' check.txt || fail "check: expired repository: $(cat check.txt)"
state_is error

# A disk as tools/build-image.sh makes it, set a holding 1.0.0; the ESP with 1.0.0's UKI, blessed.
head -c 1048576 /dev/zero | tr '\0' 'x' >old.bin
"$mkdisk" --output disk.img \
        --part "ESP,esp,1,7db251dd-b9ab-4aba-a007-fe31e0bb967a" \
        --part "root-a,root-x86-64,1,1397cc2b-6846-4d6a-ae3d-21e716b516ee,images/1.0.0/root.erofs" \
        --part "verity-a,root-x86-64-verity,1,4ffddfed-e73c-462a-8353-942e00d20510,images/1.0.0/verity.img" \
        --part "root-b,root-x86-64,1,1dd8e114-6480-4721-be2c-e8aecf5e281c,old.bin" \
        --part "verity-b,root-x86-64-verity,1,8de3bab9-409b-4e21-9b61-5eb0cd38061a,old.bin" >/dev/null
cp disk.img disk-orig.img
mkdir -p esp/EFI/Linux
cp images/1.0.0/uki-a.efi esp/EFI/Linux/bulkhead-1.0.0-a.efi
echo stale >esp/EFI/Linux/bulkhead-0.9.0-b+0-3.efi
apply="$update apply $common --current-version 1.0.0 --seed 0 --current-set a --esp esp --migrations-dir mig"
partition() { # DISK MIB_OFFSET BYTES: the partitions are 1 MiB each, in the order above, from 1 MiB
        dd if="$1" bs=1048576 skip="$2" count=1 status=none | head -c "$3"
}

# ESP too small: refused before anything is written.
rc=0
$apply --disk disk.img --test-esp-free 10 >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: ESP has 10 bytes free, the UKI needs 12" apply.txt ||
        fail "apply: small ESP: $(cat apply.txt)"
cmp -s disk.img disk-orig.img || fail "apply: small ESP, but the disk changed"
state_is error

# apply: the inactive set b gets 2.0.0, byte for byte; the running set and its UKI are untouched.
[ "$($apply --disk disk.img)" = "ready 2.0.0 b" ] || fail "apply 2.0.0"
state_is ready 2.0.0
grep -q '"set": "b"' state.json || fail "state names no set: $(cat state.json)"
partition disk.img 4 65536 | cmp -s - images/2.0.0/root.erofs || fail "root-b does not hold 2.0.0"
partition disk.img 5 "$(stat -c %s images/2.0.0/verity.img)" | cmp -s - images/2.0.0/verity.img ||
        fail "verity-b does not hold 2.0.0's tree"
partition disk.img 2 65536 | cmp -s - images/1.0.0/root.erofs || fail "root-a changed"
cmp -s esp/EFI/Linux/bulkhead-2.0.0-b+3.efi images/2.0.0/uki-b.efi || fail "UKI of 2.0.0 for set b"
cmp -s esp/EFI/Linux/bulkhead-1.0.0-a.efi images/1.0.0/uki-a.efi || fail "the running UKI changed"
[ ! -e esp/EFI/Linux/bulkhead-0.9.0-b+0-3.efi ] || fail "the old UKI of set b is still there"
[ "$(ls -A esp/EFI/Linux | wc -l)" -eq 2 ] || fail "ESP: $(ls -A esp/EFI/Linux)"
# The migrations both ways are left for `migrate`, byte for byte as signed, with the index that finds them.
cmp -s mig/add-greeting.json images/2.0.0/migrations/add-greeting.json || fail "forward migration not staged"
cmp -s mig/remove-greeting.json images/2.0.0/migrations/remove-greeting.json || fail "backward migration not staged"
grep -q '"qemu-2.0.0/migrations/remove-greeting.json"' mig/index.json || fail "index: $(cat mig/index.json)"

# check keeps a ready state of the same version; cancel removes the untried UKI.
"$update" check $common --current-version 1.0.0 --seed 0 >/dev/null
state_is ready 2.0.0
[ "$("$update" cancel --state state.json --esp esp)" = "cancelled 2.0.0" ] || fail "cancel"
state_is idle
[ ! -e esp/EFI/Linux/bulkhead-2.0.0-b+3.efi ] || fail "cancel left the UKI"

# Plain files standing in for the partitions; one too small for the root image.
head -c 65536 /dev/zero >root.part
head -c 1048576 /dev/zero >verity.part
head -c 4096 /dev/zero >small.part
rc=0
$apply --root-dev small.part --verity-dev verity.part >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: qemu-2.0.0/root.erofs.zst decompresses to 65536 bytes, but partition small.part holds only 4096" apply.txt ||
        fail "apply: small partition: $(cat apply.txt)"
[ ! -e esp/EFI/Linux/bulkhead-2.0.0-b+3.efi ] || fail "small partition, but a UKI was staged"
[ "$($apply --root-dev root.part --verity-dev verity.part)" = "ready 2.0.0 b" ] || fail "apply to files"
cmp -s root.part images/2.0.0/root.erofs || fail "root.part does not hold 2.0.0"

# Downgrade: refused unless asked for; 1.0.0 is xz-compressed.
rc=0
"$update" apply $common --current-version 2.0.0 --current-set b --esp esp --disk disk.img --version 1.0.0 \
        >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: version 1.0.0 is not newer than the running 2.0.0 (use --allow-downgrade)" apply.txt ||
        fail "apply: downgrade: $(cat apply.txt)"
[ "$("$update" apply $common --current-version 2.0.0 --current-set b --esp esp --disk disk.img --migrations-dir mig \
        --version 1.0.0 --allow-downgrade)" = "ready 1.0.0 a" ] || fail "apply: allowed downgrade"
partition disk.img 2 65536 | cmp -s - images/1.0.0/root.erofs || fail "root-a does not hold 1.0.0"
cmp -s esp/EFI/Linux/bulkhead-1.0.0-a+3.efi images/1.0.0/uki-a.efi || fail "UKI of 1.0.0 for set a"
[ ! -e esp/EFI/Linux/bulkhead-1.0.0-a.efi ] || fail "the old UKI of set a is still there"
# systemd-boot boots the newest version: the running set's UKI stands aside, as after a rollback.
[ -e esp/EFI/Linux/bulkhead-2.0.0-b+0-0.efi ] && [ ! -e esp/EFI/Linux/bulkhead-2.0.0-b+3.efi ] ||
        fail "downgrade: set b not marked out of tries: $(ls esp/EFI/Linux)"
# Cancelling the downgrade gives set b its name back; so does the next apply, should set b still be marked.
[ "$("$update" cancel --state state.json --esp esp --current-set b)" = "cancelled 1.0.0" ] || fail "cancel downgrade"
[ -e esp/EFI/Linux/bulkhead-2.0.0-b.efi ] && [ ! -e esp/EFI/Linux/bulkhead-1.0.0-a+3.efi ] ||
        fail "cancelled downgrade: $(ls esp/EFI/Linux)"
mv esp/EFI/Linux/bulkhead-2.0.0-b.efi esp/EFI/Linux/bulkhead-2.0.0-b+0-3.efi
[ "$("$update" apply $common --current-version 2.0.0 --current-set b --esp esp --disk disk.img --migrations-dir mig \
        --version 1.0.0 --allow-downgrade)" = "ready 1.0.0 a" ] || fail "apply: downgrade again"
[ -e esp/EFI/Linux/bulkhead-2.0.0-b+0-0.efi ] && [ -e esp/EFI/Linux/bulkhead-1.0.0-a+3.efi ] ||
        fail "downgrade from a set marked bad: $(ls esp/EFI/Linux)"

# Tampered targets: a changed root image is refused and nothing is staged (set b's old UKI is gone, as
# its partitions were about to change).
cp -r repo evil
printf 'X' | dd of="$(find evil/targets/qemu-2.0.0 -name '*root.erofs.zst')" bs=1 seek=100 conv=notrunc status=none
rm -f esp/EFI/Linux/*-b*
cp disk-orig.img disk.img
rc=0
"$update" apply --root $root --repo evil --variant qemu --state state.json --metadata-cache cache --now $now --current-version 1.0.0 \
        --seed 0 --current-set a --esp esp --disk disk.img --migrations-dir mig >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: .*root.erofs.zst" apply.txt || fail "apply: tampered root: $(cat apply.txt)"
state_is error
! ls esp/EFI/Linux | grep -q -- '-b' || fail "tampered root, but a UKI was staged: $(ls esp/EFI/Linux)"
# A changed verity tree (downloaded beside the root, on a thread of its own) likewise.
rm -rf evil
cp -r repo evil
printf 'X' | dd of="$(find evil/targets/qemu-2.0.0 -name '*verity.img')" bs=1 seek=100 conv=notrunc status=none
cp disk-orig.img disk.img
rc=0
"$update" apply --root $root --repo evil --variant qemu --state state.json --metadata-cache cache --now $now --current-version 1.0.0 \
        --seed 0 --current-set a --esp esp --disk disk.img --migrations-dir mig >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: .*verity.img: sha256 hash does not match" apply.txt ||
        fail "apply: tampered verity tree: $(cat apply.txt)"
state_is error
! ls esp/EFI/Linux | grep -q -- '-b' || fail "tampered verity tree, but a UKI was staged: $(ls esp/EFI/Linux)"
# A signed image whose verity tree belongs to another root: every hash the repository lists is right, and
# only recomputing the tree from the written root catches it, before the UKI appears.
cp -r images/2.0.0 images/3.0.0
cp images/1.0.0/verity.img images/1.0.0/verity.env images/3.0.0/
rm -rf images/3.0.0/migrations.txt images/3.0.0/migrations
cp -r repo mixed
run_repo add --repo mixed --version 3.0.0 --image-dir images/3.0.0 --variant qemu --released 2025-03-01T00:00:00Z \
        --waves 0
run_repo sign --repo mixed --keys keys
rc=0
"$update" apply --root $root --repo mixed --variant qemu --state state.json --metadata-cache cache --now $now --current-version 1.0.0 \
        --seed 0 --current-set a --esp esp --disk disk.img --migrations-dir mig --version 3.0.0 >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: root-b: verity root hash .*, but the signed one is $(sed -n 's/^root_hash=//p' images/1.0.0/verity.env)" apply.txt ||
        fail "apply: mismatched verity tree: $(cat apply.txt)"
! ls -A esp/EFI/Linux | grep -q -- '-b' || fail "mismatched verity tree, but a UKI was staged (or left behind): $(ls -A esp/EFI/Linux)"
state_is error
# A signed tree with the right root hash whose lower level was changed (a publisher's mistake): the tree
# computed from the written root finds the first byte that differs.
cp -r images/2.0.0 images/4.0.0
rm -rf images/4.0.0/migrations.txt images/4.0.0/migrations
printf 'X' | dd of=images/4.0.0/verity.img bs=1 seek=4196 conv=notrunc status=none
cp -r repo wrongtree
run_repo add --repo wrongtree --version 4.0.0 --image-dir images/4.0.0 --variant qemu --released 2025-04-01T00:00:00Z \
        --waves 0
run_repo sign --repo wrongtree --keys keys
rc=0
"$update" apply --root $root --repo wrongtree --variant qemu --state state.json --metadata-cache cache --now $now \
        --current-version 1.0.0 --seed 0 --current-set a --esp esp --disk disk.img --migrations-dir mig --version 4.0.0 \
        >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: verity-b: the hash tree differs from the one computed from the root image at byte 4196" apply.txt ||
        fail "apply: a changed tree: $(cat apply.txt)"
! ls -A esp/EFI/Linux | grep -q -- '-b' || fail "a changed tree, but a UKI was staged: $(ls -A esp/EFI/Linux)"
state_is error

# rollback: running 2.0.0 from set b, back to set a.
rm -f esp/EFI/Linux/*
echo a >esp/EFI/Linux/bulkhead-1.0.0-a.efi
echo b >esp/EFI/Linux/bulkhead-2.0.0-b+2-1.efi
[ "$("$update" rollback --esp esp --current-set b)" = "rollback 1.0.0 a" ] || fail "rollback"
[ -e esp/EFI/Linux/bulkhead-2.0.0-b+0-1.efi ] || fail "rollback: set b not marked bad: $(ls esp/EFI/Linux)"
[ -e esp/EFI/Linux/bulkhead-1.0.0-a.efi ] || fail "rollback: set a's UKI changed"
rc=0
"$update" rollback --esp esp --current-set a >rb.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "used up its boot tries" rb.txt || fail "rollback to a bad set: $(cat rb.txt)"
rm esp/EFI/Linux/bulkhead-2.0.0-b+0-1.efi
rc=0
"$update" rollback --esp esp --current-set a >rb.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "no UKI of set b" rb.txt || fail "rollback without a UKI: $(cat rb.txt)"
echo ok
