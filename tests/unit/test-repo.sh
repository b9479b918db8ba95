#!/bin/sh
# SPDX-License-Identifier: MIT
# bulkhead-repo as a release engineer runs it, checked by the client as a node runs it: keys, init, add of
# a small fake image, sign, then `update verify` from 1.root.json must list every target with the sha256
# of what was added; root rotation keeps old roots working; expired and tampered repositories are refused.
# Usage: test-repo.sh BULKHEAD_REPO UPDATE
set -eu

repo_tool=$(realpath "$1")
update=$(realpath "$2")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"

fail() {
        echo "FAIL: $*" >&2
        exit 1
}
run() {
        "$repo_tool" "$@" >>log.txt 2>&1 || { cat log.txt >&2; fail "bulkhead-repo $*"; }
}
verify() { # ROOT REPO [update verify options...]
        root=$1
        dir=$2
        shift 2
        "$update" verify --root "$root" --repo "$dir" "$@"
}
expect_refusal() { # NEEDLE ROOT REPO [options...]
        needle=$1
        shift
        rc=0
        verify "$@" >stdout 2>stderr || rc=$?
        [ "$rc" -eq 1 ] || fail "exit status $rc, expected a refusal containing '$needle'"
        grep -q -- "$needle" stderr || fail "refusal '$(cat stderr)' does not mention '$needle'"
        [ ! -s stdout ] || fail "printed targets although refused"
}

# A fake image directory as tools/build-image.sh leaves it, with files of a few KiB.
mkdir -p images/qemu
head -c 65536 /dev/urandom >images/qemu/root.erofs
head -c 8192 /dev/urandom >images/qemu/verity.img
{
        echo "root_hash=$(sha256sum images/qemu/verity.img | cut -d' ' -f1)"
        printf 'salt=00ff\ndata_blocks=16\ndata_block_size=4096\nhash_block_size=4096\n'
        printf 'hash_start_block=1\nhash_bytes=8192\n'
} >images/qemu/verity.env
echo "uki a" >images/qemu/uki-a.efi
echo "uki b" >images/qemu/uki-b.efi
printf '# into 1.1 and back\n1.0 1.1 settings-v2\n1.1 1.0 settings-v1\n' >images/qemu/migrations.txt
mkdir images/qemu/migrations
for m in settings-v1 settings-v2 settings-v3; do
        printf '{"format": 1, "name": "%s", "steps": [{"op": "add", "key": "settings.%s", "value": 1}]}\n' \
                "$m" "$m" >images/qemu/migrations/$m.json
done

# The next version, carrying its own migrations.
cp -r images images2
printf '1.1 1.2 settings-v3\n' >images2/qemu/migrations.txt

sha() { sha256sum "$1" | cut -d' ' -f1; }

for mode in plain consistent; do
        rm -rf keys keys2 repo log.txt
        flag=
        [ "$mode" = plain ] || flag=--consistent-snapshot
        run keys create --dir keys --type ed25519
        [ "$(stat -c %a keys/root.pem)" = 600 ] || fail "root.pem is not mode 0600"
        grep -q 'BEGIN PRIVATE KEY' keys/targets.pem || fail "targets.pem is not PKCS#8"
        run init --repo repo --keys keys $flag --expires timestamp=2
        run add --repo repo --keys keys --version 1.1 --image-dir images/qemu --waves 0,6,24,48
        run refresh --repo repo --keys keys
        verify repo/metadata/1.root.json repo >list.txt || fail "$mode: fresh repository refused"
        for f in uki-a.efi uki-b.efi verity.img migrations.txt migrations/settings-v1.json \
                migrations/settings-v2.json; do
                grep -qx "$(sha images/qemu/$f) $(stat -c %s images/qemu/$f) qemu-1.1/$f" list.txt ||
                        fail "$mode: $f not listed with its sha256: $(cat list.txt)"
        done
        grep -q ' qemu-1.1/root.erofs.lz4$' list.txt || fail "$mode: no lz4-compressed root image (the default)"
        grep -q ' manifest.json$' list.txt || fail "$mode: no manifest"
        [ "$(wc -l <list.txt)" -eq 8 ] || fail "$mode: expected 8 targets: $(cat list.txt)"

        # The root image decompresses (with the lz4 tool, another reader) to what was added, and its custom
        # metadata says so.
        if command -v lz4 >/dev/null; then
                file=$(find repo/targets/qemu-1.1 -name '*root.erofs.lz4')
                [ "$(lz4 -dc "$file" | sha256sum | cut -d' ' -f1)" = "$(sha images/qemu/root.erofs)" ] ||
                        fail "$mode: root.erofs.lz4 does not decompress to root.erofs"
        fi
        targets=$(ls repo/metadata/*targets.json | sort -V | tail -1)
        grep -q "\"uncompressed_sha256\": \"$(sha images/qemu/root.erofs)\"" "$targets" ||
                fail "$mode: targets metadata lacks the uncompressed sha256"
        grep -q '"verity_root_hash"' "$targets" || fail "$mode: targets metadata lacks the verity root hash"

        # A second version: the first stays listed, and the same version again is refused.
        run add --repo repo --version 1.2 --image-dir images2/qemu --variant qemu --compress xz
        "$repo_tool" add --repo repo --version 1.2 --image-dir images2/qemu >log2.txt 2>&1 &&
                fail "$mode: version 1.2 added twice"
        grep -q 'already' log2.txt || fail "$mode: duplicate refused without saying why: $(cat log2.txt)"
        run sign --repo repo --keys keys
        verify repo/metadata/1.root.json repo >list.txt || fail "$mode: second version refused"
        grep -q ' qemu-1.2/root.erofs.xz$' list.txt || fail "$mode: version 1.2 not listed"
        grep -q ' qemu-1.1/uki-a.efi$' list.txt || fail "$mode: version 1.1 dropped"

        # Root rotation to all-new keys: clients holding 1.root.json follow the chain.
        run keys create --dir keys2 --type ecdsa
        run rotate-root --repo repo --keys keys --new-keys keys2
        [ -f repo/metadata/2.root.json ] || fail "$mode: no 2.root.json"
        run refresh --repo repo --keys keys2
        verify repo/metadata/1.root.json repo >/dev/null || fail "$mode: rotated, refused from 1.root.json"
        verify repo/metadata/2.root.json repo >/dev/null || fail "$mode: rotated, refused from 2.root.json"
        "$repo_tool" refresh --repo repo --keys keys >log2.txt 2>&1 && fail "$mode: signed with old keys"
        grep -q 'keys/snapshot.pem: keyid .* is not a snapshot key of root version 2' log2.txt ||
                fail "$mode: old key refused without naming it: $(cat log2.txt)"

        # Expiry: a timestamp expired on purpose is refused (freeze), and so is one the clock passed.
        expect_refusal "expired" repo/metadata/1.root.json repo --now 2999-01-01T00:00:00Z
        run expire --repo repo --keys keys2 --role timestamp --days -1
        expect_refusal "timestamp.json: expired" repo/metadata/1.root.json repo
        run expire --repo repo --keys keys2 --role timestamp --days 1
        verify repo/metadata/1.root.json repo >/dev/null || fail "$mode: renewed timestamp refused"

        # A target changed after signing: arbitrary software.
        file=$(find repo/targets/qemu-1.1 -name '*uki-b.efi')
        echo "evil" >"$file"
        expect_refusal "uki-b.efi: .* (arbitrary software)\|uki-b.efi: .* bytes, but" \
                repo/metadata/1.root.json repo

        # Errors name the file and the reason.
        cp -r images2 images3
        printf '{"format": 1, "name": "settings-v3", "steps": [{"op": "drop", "key": "settings.a"}]}\n' \
                >images3/qemu/migrations/settings-v3.json
        "$repo_tool" add --repo repo --version 1.2 --variant other --image-dir images3/qemu >log2.txt 2>&1 && fail "bad migration"
        grep -q "settings-v3.json: step 0: unknown op 'drop'" log2.txt || fail "bad migration: $(cat log2.txt)"
        rm -f images3/qemu/migrations/settings-v3.json
        "$repo_tool" add --repo repo --version 1.2 --variant other --image-dir images3/qemu >log2.txt 2>&1 && fail "no definition"
        grep -q "settings-v3.json: cannot read" log2.txt || fail "missing migration: $(cat log2.txt)"
        rm -rf images3
        "$repo_tool" add --repo repo --version 9 --image-dir nowhere >log2.txt 2>&1 && fail "image accepted"
        grep -q 'nowhere/verity.env: cannot read' log2.txt || fail "missing image: $(cat log2.txt)"
        chmod 644 keys2/timestamp.pem
        "$repo_tool" refresh --repo repo --keys keys2 >log2.txt 2>&1 && fail "world-readable key used"
        grep -q 'keys2/timestamp.pem: private key is readable' log2.txt || fail "mode: $(cat log2.txt)"
done
echo "ok"
