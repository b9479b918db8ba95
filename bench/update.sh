#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench-update: the bytes per second an update writes, against dd writing the same bytes onto the same
# kind of disk in the same run. On the host, as tests/update/test-update-agent.sh drives the agent: QEMU here
# is TCG only, far too slow and noisy to time disk writes in.
# The update is `update apply` from a directory repository made by bulkhead-repo from the image (root
# lz4-compressed, as `make repo` publishes it) into set b of a raw GPT disk file with the variant's layout,
# with a directory for the ESP. Its time is the wall time of the whole apply: TUF refresh, download,
# decompression, writes, fsync, the read-back checks of decision 0010 and the UKI. dd writes the same
# uncompressed bytes (root.erofs, verity.img) at the same partition offsets of an identical disk file, and
# uki-b.efi into a file of an ESP directory: the apply's time includes writing the UKI, so the bytes counted
# (for both) are root + verity + UKI. For scale, the update is also timed from a second repository whose
# root target is not compressed (`--compress none`): the difference is the cost of decompressing.
# Each measurement is taken ROUNDS times, in an order that alternates, each after the page cache is dropped
# (when this runs as root) so that none reads its input from memory another left; shown are medians, and a
# ratio is the median of the per-round ratios. CPU seconds are shown too: on a loaded machine the update,
# which hashes and decompresses, loses more wall time than dd, which only copies.
# Environment: ROUNDS (default 3), IMAGES_DIR (default build/images; the image is built when missing),
# KEEP=1 keeps the work directory build/bench/update (repository, disks) for profiling.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/tools/lib/common.sh"
. "$top/tools/lib/variant.sh"
. "$top/tools/lib/layout.sh"
require_tools dd partx
variant=${1:-qemu}
rounds=${ROUNDS:-3}
variant_load "$top/variants/$variant/variant.conf"
bin="$top/build/bin"
for t in update bulkhead-repo mkdisk; do
        [ -x "$bin/$t" ] || die "'$bin/$t' is missing (run 'make')"
done

images=${IMAGES_DIR:-$top/build/images}/$variant
if [ ! -f "$images/root.erofs" ]; then
        note "no image in $images: building it"
        IMAGES_DIR=$(dirname "$images") "$top/tools/build-image.sh" "$variant"
fi
for f in root.erofs verity.img verity.env uki-a.efi uki-b.efi; do
        [ -f "$images/$f" ] || die "'$images/$f' is missing"
done

work="$top/build/bench/update"
rm -rf "$work"
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
cd "$work"

# The image as its own version 0.1.0-style directory; the agent updates a node running 0.0.0 to it.
note "repository from $images"
mkdir image
cp "$images"/{root.erofs,verity.img,verity.env,uki-a.efi,uki-b.efi} image/
run_repo() {
        "$bin/bulkhead-repo" "$@" >>repo.log 2>&1 || {
                cat repo.log >&2
                die "bulkhead-repo $1 failed"
        }
}
run_repo keys create --dir keys --type ed25519
run_repo init --repo repo --keys keys --consistent-snapshot
run_repo add --repo repo --version "$VARIANT_version" --image-dir image --variant "$variant" --waves 0
run_repo sign --repo repo --keys keys
run_repo init --repo repo-raw --keys keys --consistent-snapshot
run_repo add --repo repo-raw --version "$VARIANT_version" --image-dir image --variant "$variant" --waves 0 \
        --compress none
run_repo sign --repo repo-raw --keys keys

# Two identical disks with the variant's layout, set a holding the image. mkdisk leaves unwritten ranges
# sparse; set b is filled with zeros first, so that both sides overwrite allocated blocks as on a device.
"$bin/mkdisk" --output disk-update.img \
        --part "ESP,esp,$VARIANT_esp_mib,$PARTUUID_ESP" \
        --part "root-a,root-x86-64,$VARIANT_root_mib,$PARTUUID_ROOT_A,image/root.erofs" \
        --part "verity-a,root-x86-64-verity,$VARIANT_verity_mib,$PARTUUID_VERITY_A,image/verity.img" \
        --part "root-b,root-x86-64,$VARIANT_root_mib,$PARTUUID_ROOT_B" \
        --part "verity-b,root-x86-64-verity,$VARIANT_verity_mib,$PARTUUID_VERITY_B" \
        --part "$DATA_LABEL,linux-data,$VARIANT_data_mib,$PARTUUID_DATA" >/dev/null
start_sector() { partx -g -o NAME,START disk-update.img | awk -v n="$1" '$1 == n { print $2 }'; }
root_off=$(start_sector root-b)
verity_off=$(start_sector verity-b)
if [ -z "$root_off" ] || [ -z "$verity_off" ]; then die "no root-b or verity-b partition on the disk"; fi
root_off=$((root_off * 512)) verity_off=$((verity_off * 512))
dd if=/dev/zero of=disk-update.img bs=1M seek=$((root_off / 1048576)) \
        count=$((VARIANT_root_mib + VARIANT_verity_mib)) conv=notrunc,fsync status=none
cp --sparse=always disk-update.img disk-dd.img
sync

root_bytes=$(stat -c %s image/root.erofs)
verity_bytes=$(stat -c %s image/verity.img)
uki_bytes=$(stat -c %s image/uki-b.efi)
bytes=$((root_bytes + verity_bytes + uki_bytes))
packed_bytes=$(find repo/targets -name '*root.erofs.*' -exec stat -c %s {} +)
compression=$(find repo/targets -name '*root.erofs.*' | sed 's/.*root\.erofs\.//')

if [ -w /proc/sys/vm/drop_caches ]; then
        drop_caches() {
                sync
                echo 3 >/proc/sys/vm/drop_caches
        }
        cache="page cache dropped before each measurement"
else
        drop_caches() { sync; }
        cache="page cache NOT dropped (not root): inputs may be read from memory"
fi
# timed CMD...: runs CMD and prints its wall, user and system seconds.
TIMEFORMAT='%3R %3U %3S'
timed() {
        { time "$@" >timed.out 2>timed.log; } 2>timed.txt || {
                cat timed.log >&2
                die "$1 failed"
        }
        cat timed.txt
}

# run_update REPO: one update into set b, from scratch: no state, an ESP with only the running set's UKI.
run_update() {
        rm -rf esp state.json migrations tuf-cache
        mkdir -p esp/EFI/Linux
        cp image/uki-a.efi "esp/EFI/Linux/bulkhead-0.0.0-a.efi"
        drop_caches
        timed "$bin/update" apply --root "$1/metadata/1.root.json" --repo "$1" --variant "$variant" \
                --state state.json --current-version 0.0.0 --seed 0 --current-set a --esp esp \
                --disk disk-update.img --migrations-dir migrations --metadata-cache tuf-cache
        [ "$(cat timed.out)" = "ready $VARIANT_version b" ] || die "update apply: '$(cat timed.out)'"
}

# The same bytes with dd. conv=fsync: the bytes must be on the disk when dd ends, as they are when the
# agent's apply ends. (Not oflag=direct, which the agent uses for whole slots: dd's plain way is the baseline.)
dd_all() {
        dd if=image/root.erofs of=disk-dd.img bs=4M seek="$root_off" oflag=seek_bytes conv=notrunc,fsync \
                status=none
        dd if=image/verity.img of=disk-dd.img bs=4M seek="$verity_off" oflag=seek_bytes conv=notrunc,fsync \
                status=none
        dd if=image/uki-b.efi of="esp-dd/EFI/Linux/bulkhead-$VARIANT_version-b+3.efi" bs=4M conv=fsync \
                status=none
}
run_dd() {
        rm -rf esp-dd
        mkdir -p esp-dd/EFI/Linux
        drop_caches
        timed dd_all
}

# The written bytes are checked once, outside the timing: a fast run that wrote the wrong thing is no figure.
check_disk() {
        cmp -s -n "$root_bytes" -i "$root_off:0" "$1" image/root.erofs || die "$1: root-b is not the image"
        cmp -s -n "$verity_bytes" -i "$verity_off:0" "$1" image/verity.img ||
                die "$1: verity-b is not the tree"
}

mib_per_s() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
runs=runs.txt
: >"$runs"
measure() { # LABEL FUNCTION ARGS...: one timed run, kept as "LABEL wall cpu"
        local label=$1 t wall user sys
        shift
        t=$("$@")
        read -r wall user sys <<<"$t"
        echo "$label $wall $(awk -v a="$user" -v b="$sys" 'BEGIN { print a + b }')" >>"$runs"
        note "round $r: $label $(mib_per_s "$wall") MiB/s ($wall s, CPU $(awk 'END { print $3 }' "$runs") s)"
}
for ((r = 1; r <= rounds; r++)); do
        # Alternate the order, so that none always runs right after another's writeback.
        if ((r % 2)); then
                measure update run_update repo
                measure dd run_dd
                measure update-raw run_update repo-raw
        else
                measure update-raw run_update repo-raw
                measure dd run_dd
                measure update run_update repo
        fi
done
check_disk disk-update.img
check_disk disk-dd.img
cmp -s "esp/EFI/Linux/bulkhead-$VARIANT_version-b+3.efi" image/uki-b.efi ||
        die "the agent's UKI is not uki-b.efi"

# column LABEL N: the Nth field (2 wall, 3 CPU) of LABEL's runs, in round order.
column() { awk -v l="$1" -v n="$2" '$1 == l { print $n }' "$runs"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
rate() { mib_per_s "$(column "$1" 2 | median)"; }
# The median over the rounds of dd's time / LABEL's time.
ratio() { paste <(column dd 2) <(column "$1" 2) | awk '{ printf "%.4f\n", $1 / $2 }' | median |
        awk '{ printf "%.2f", $1 }'; }
cpu() { column "$1" 3 | median; }
echo
echo "bench-update (median of $rounds, $cache)"
echo "bytes written: $bytes = root $root_bytes + verity $verity_bytes + UKI $uki_bytes" \
        "(root downloaded $compression-compressed: $packed_bytes)"
echo "update: $(rate update) MiB/s  dd: $(rate dd) MiB/s  ratio $(ratio update) (target >= 0.80)"
echo "update, root target not compressed: $(rate update-raw) MiB/s  ratio $(ratio update-raw) (no target)"
echo "CPU time (user+sys) per run: update $(cpu update) s, not compressed $(cpu update-raw) s," \
        "dd $(cpu dd) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "The update's time includes everything apply does (TUF refresh, download, decompression, fsync, the"
echo "read-back checks and the verity tree of decision 0010); dd only copies and fsyncs."
