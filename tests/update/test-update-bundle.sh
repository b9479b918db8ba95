#!/bin/sh
# SPDX-License-Identifier: MIT
# Air-gapped updates on the host (docs/decisions/0013-update-bundles.md): a repository with versions 1.0.0,
# 2.0.0 and 3.0.0 of fake images, consistent snapshots; `bulkhead-repo bundle` of 2.0.0; then `update check`
# and `apply --bundle` as a node runs them, with plain files for the disk and a directory for the ESP; and
# bundles that are damaged, tampered with or hostile, each refused with the member and the reason.
# Usage: test-update-bundle.sh UPDATE BULKHEAD_REPO MKVERITY MKDISK
set -eu
lib=$(dirname "$(realpath "$0")")/lib.sh

update=$(realpath "$1")
repo_tool=$(realpath "$2")
mkverity=$(realpath "$3")
mkdisk=$(realpath "$4")
out=$(mktemp -d)
loop=
trap '[ -z "$loop" ] || losetup -d "$loop"; rm -rf "$out"' EXIT
cd "$out"

. "$lib"
state_is() { # STATE [VERSION]
        grep -q "\"state\": \"$1\"" state.json || fail "state is not $1: $(cat state.json)"
        [ $# -lt 2 ] || grep -q "\"version\": \"$2\"" state.json || fail "state version not $2: $(cat state.json)"
}
# tamper.py IN OUT ACTION [ARGS]: copies a bundle member by member with Python's tarfile (an independent
# ustar writer) and adds or changes one member.
cat >tamper.py <<'EOF'
import io, sys, tarfile
src, dst, action = sys.argv[1:4]
with tarfile.open(src) as i, tarfile.open(dst, "w", format=tarfile.USTAR_FORMAT) as o:
    for m in i.getmembers():
        o.addfile(m, i.extractfile(m))
    if action == "add":  # NAME CONTENT
        m = tarfile.TarInfo(sys.argv[4])
        m.size = len(sys.argv[5])
        o.addfile(m, io.BytesIO(sys.argv[5].encode()))
    elif action == "symlink":  # NAME TARGET
        m = tarfile.TarInfo(sys.argv[4])
        m.type, m.linkname = tarfile.SYMTYPE, sys.argv[5]
        o.addfile(m)
EOF
# flip BUNDLE MEMBER-GLOB BYTE: changes one byte of a member's data in place.
flip() {
        python3 - "$@" <<'EOF'
import fnmatch, sys, tarfile
path, glob, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
with tarfile.open(path) as t:
    m = next(m for m in t.getmembers() if fnmatch.fnmatch(m.name, glob))
with open(path, "r+b") as f:
    f.seek(m.offset_data + at)
    b = f.read(1)
    f.seek(m.offset_data + at)
    f.write(bytes([b[0] ^ 0x20]))
EOF
}

for v in 1.0.0 2.0.0 3.0.0; do
        fake_image "$v" 65536
done
printf '1.0.0 2.0.0 settings-v2\n2.0.0 1.0.0 settings-v1\n' >images/2.0.0/migrations.txt
mkdir images/2.0.0/migrations
for m in settings-v1 settings-v2; do
        printf '{"format": 1, "name": "%s", "steps": [{"op": "remove", "key": "settings.%s"}]}\n' "$m" "$m" \
                >"images/2.0.0/migrations/$m.json"
done
run_repo keys create --dir keys --type ed25519
run_repo init --repo repo --keys keys --consistent-snapshot
for v in 1.0.0 2.0.0 3.0.0; do
        run_repo add --repo repo --version $v --image-dir images/$v --variant qemu --released 2025-01-01T00:00:00Z \
                --waves 0
done
run_repo sign --repo repo --keys keys
now=2025-03-01T06:00:00Z
root=repo/metadata/1.root.json

# The bundle of 2.0.0: all metadata, the manifest, the migration lists, and 2.0.0's targets only.
run_repo bundle --repo repo --out v2.tar --version 2.0.0 --variant qemu --now $now
[ ! -e v2.tar.tmp.* ] 2>/dev/null || fail "bundle left a temporary file"
tar -tf v2.tar >members.txt || fail "GNU tar cannot list the bundle"
for m in metadata/1.root.json metadata/timestamp.json 'metadata/[0-9]*.snapshot.json' \
        'metadata/[0-9]*.targets.json' 'targets/*.manifest.json' 'targets/qemu-2.0.0/*.root.erofs*' \
        'targets/qemu-2.0.0/*.verity.img' 'targets/qemu-2.0.0/*.uki-a.efi' 'targets/qemu-2.0.0/*.uki-b.efi' \
        'targets/qemu-2.0.0/*.migrations.txt' 'targets/qemu-2.0.0/migrations/*.settings-v1.json'; do
        # shellcheck disable=SC2254
        grep -q "^$(echo "$m" | sed 's/\./\\./g; s/\*/.*/g')\$" members.txt || fail "bundle lacks $m: $(cat members.txt)"
done
! grep -q -e qemu-1.0.0 -e qemu-3.0.0 members.txt || fail "bundle of 2.0.0 has other versions: $(cat members.txt)"
rc=0
"$repo_tool" bundle --repo repo --out /dev/null >log.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "/dev/null: exists and is not a regular file" log.txt || fail "bundle onto a device: $(cat log.txt)"
rc=0
"$repo_tool" bundle --repo repo --out v9.tar --version 9.9.9 >log.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "no published targets of version 9.9.9" log.txt && [ ! -e v9.tar ] ||
        fail "bundle of a version the repository lacks: $(cat log.txt)"

common="--root $root --variant qemu --state state.json --metadata-cache cache --now $now --seed 0"
# check: the repository offers 3.0.0, the bundle only 2.0.0, which is what check may offer.
[ "$("$update" check $common --repo repo --current-version 1.0.0)" = "available 3.0.0" ] || fail "check repo"
[ "$("$update" check $common --bundle v2.tar --current-version 1.0.0)" = "available 2.0.0" ] || fail "check bundle"
state_is available 2.0.0
[ "$("$update" check $common --bundle v2.tar --current-version 2.0.0)" = up-to-date ] || fail "check at 2.0.0"
[ "$("$update" verify --root $root --bundle v2.tar --now $now | wc -l)" -eq 8 ] || fail "verify --bundle"
# An operator may attach the bundle as a raw disk: whatever follows the archive is not read.
cp v2.tar disk-like.img
head -c 1048576 /dev/urandom >>disk-like.img
[ "$("$update" check $common --bundle disk-like.img --current-version 1.0.0)" = "available 2.0.0" ] ||
        fail "check of a bundle followed by other data"
# The same as a real block device, where root may attach one (a loop device, read-only).
if [ "$(id -u)" -eq 0 ] && loop=$(losetup -f --show --read-only disk-like.img 2>/dev/null); then
        [ "$("$update" check $common --bundle "$loop" --current-version 1.0.0)" = "available 2.0.0" ] ||
                fail "check of a bundle on a block device"
        losetup -d "$loop"
        loop=
else
        echo "skipped: a bundle on a block device (needs root and a loop device)"
fi
# GNU tar's ustar archive of the repository's trees is a bundle too (of every version).
tar --format=ustar -C repo -cf gnu.tar metadata targets
[ "$("$update" check $common --bundle gnu.tar --current-version 1.0.0)" = "available 3.0.0" ] ||
        fail "check of a bundle made by GNU tar"

# apply from the bundle into set b, as from a repository.
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
apply="$update apply $common --current-version 1.0.0 --current-set a --esp esp --disk disk.img --migrations-dir mig"
partition() { # DISK MIB_OFFSET BYTES
        dd if="$1" bs=1048576 skip="$2" count=1 status=none | head -c "$3"
}
[ "$($apply --bundle v2.tar)" = "ready 2.0.0 b" ] || fail "apply --bundle"
[ -f mig/settings-v2.json ] && [ -f mig/settings-v1.json ] || fail "apply --bundle: migrations not staged"
state_is ready 2.0.0
partition disk.img 4 65536 | cmp -s - images/2.0.0/root.erofs || fail "root-b does not hold 2.0.0"
partition disk.img 5 "$(stat -c %s images/2.0.0/verity.img)" | cmp -s - images/2.0.0/verity.img ||
        fail "verity-b does not hold 2.0.0's tree"
cmp -s esp/EFI/Linux/bulkhead-2.0.0-b+3.efi images/2.0.0/uki-b.efi || fail "UKI of 2.0.0 for set b"
rc=0
$apply --bundle v2.tar --version 3.0.0 >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "^error: the repository has no version 3.0.0 of qemu" apply.txt ||
        fail "apply of a version the bundle lacks: $(cat apply.txt)"
rc=0
$apply --bundle v2.tar --repo repo >apply.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q -- "--repo and --bundle exclude each other" apply.txt || fail "--repo with --bundle"

# refused VERB BUNDLE MESSAGE: the agent exits 1 with "error: MESSAGE" and records the error state.
refused() {
        rc=0
        if [ "$1" = apply ]; then
                rm -f esp/EFI/Linux/*-b*
                cp disk-orig.img disk.img
                $apply --bundle "$2" >result.txt 2>&1 || rc=$?
                ! ls esp/EFI/Linux | grep -q -- '-b' || fail "$2: refused, but a UKI was staged"
        else
                "$update" check $common --current-version 1.0.0 --bundle "$2" >result.txt 2>&1 || rc=$?
        fi
        [ "$rc" -eq 1 ] && grep -q "^error: $3" result.txt || fail "$1 --bundle $2: $(cat result.txt)"
        state_is error
}

# A byte of a target changed: the archive is fine, the hash is not; nothing bootable is left behind. (The
# compressed root also carries zstd's own checksum, which fails first.)
cp v2.tar flipped-target.tar
flip flipped-target.tar 'targets/qemu-2.0.0/*.verity.img' 1000
refused apply flipped-target.tar "qemu-2.0.0/verity.img: sha256 hash does not match"
cp v2.tar flipped-root.tar
flip flipped-root.tar 'targets/qemu-2.0.0/*.root.erofs*' 1000
refused apply flipped-root.tar ".*root.erofs"
# A byte of signed metadata changed.
cp v2.tar flipped-metadata.tar
flip flipped-metadata.tar metadata/timestamp.json 40
refused check flipped-metadata.tar ".*timestamp.json"
# Hostile members: a path out of the tree, a symlink, a name twice, something beside the two trees.
python3 tamper.py v2.tar dotdot.tar add targets/../../etc/cron.d/x evil
refused check dotdot.tar "dotdot.tar: member 'targets/../../etc/cron.d/x': not a safe relative name"
python3 tamper.py v2.tar symlink.tar symlink targets/qemu-2.0.0/link /etc/shadow
refused apply symlink.tar "symlink.tar: member 'targets/qemu-2.0.0/link' is a symbolic link"
python3 tamper.py v2.tar twice.tar add metadata/timestamp.json '{}'
refused check twice.tar "twice.tar: member 'metadata/timestamp.json' appears twice"
python3 tamper.py v2.tar outside.tar add etc/passwd evil
refused check outside.tar "outside.tar: member 'etc/passwd' is not under metadata/ or targets/"
# Cut short: inside a member's data, and after the last member.
head -c $(($(stat -c %s v2.tar) - 70000)) v2.tar >truncated.tar
refused apply truncated.tar "truncated.tar: member '.*': the archive ends inside its .* bytes of data (truncated)"
head -c $(($(stat -c %s v2.tar) - 1024)) v2.tar >no-end.tar
refused check no-end.tar "no-end.tar: the archive ends before byte .*no end-of-archive marker (truncated)"
# Not a bundle at all, not a file, not there.
refused check images/1.0.0/verity.env "images/1.0.0/verity.env: shorter than one block: not a ustar archive"
refused check images/1.0.0/verity.img "images/1.0.0/verity.img: at byte 0: not a POSIX ustar header"
mkfifo fifo
refused check fifo "the bundle 'fifo' is not a regular file or a block device"
refused check missing.tar "cannot open the bundle 'missing.tar': No such file or directory"
echo ok
