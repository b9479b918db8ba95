#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench-update: the bytes per second an update writes, against dd writing the same bytes onto the same
# kind of disk in the same run. On the host, as tests/update/test-update-agent.sh drives the agent: QEMU here
# is TCG only, far too slow and noisy to time disk writes in.
# The update is `update apply` from a directory repository made by bulkhead-repo from the image (root
# zstd-compressed, as `make repo` publishes it) into set b of a raw GPT disk file with the variant's layout,
# with a directory for the ESP. Its time is the wall time of the whole apply: TUF refresh, download,
# decompression, writes, fsync, the read-back checks of decision 0010 and the UKI. dd writes the same
# uncompressed bytes (root.erofs, verity.img) at the same partition offsets of an identical disk file, and
# uki-b.efi into a file of an ESP directory.
# Each measurement is taken ROUNDS times, update and dd alternating which goes first, each after the page
# cache is dropped (when this runs as root) so that neither reads its input from memory the other left;
# shown are medians, and the ratio is the median of the per-round ratios.
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
zst_bytes=$(find repo/targets -name '*root.erofs.zst' -exec stat -c %s {} +)

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

# One update into set b, from scratch: no state, an ESP with only the running set's UKI.
run_update() {
        rm -rf esp state.json
        mkdir -p esp/EFI/Linux
        cp image/uki-a.efi "esp/EFI/Linux/bulkhead-0.0.0-a.efi"
        drop_caches
        timed "$bin/update" apply --root repo/metadata/1.root.json --repo repo --variant "$variant" \
                --state state.json --current-version 0.0.0 --seed 0 --current-set a --esp esp \
                --disk disk-update.img
        [ "$(cat timed.out)" = "ready $VARIANT_version b" ] || die "update apply: '$(cat timed.out)'"
}

# The same bytes with dd. conv=fsync, not oflag=direct: the agent writes through the page cache and
# fsyncs each partition before it reads back, so dd must also reach the disk, and the same way.
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

mibs() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f\n", b / 1048576 / s }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
u_rate=() d_rate=() ratios=() u_cpu=() d_cpu=()
for ((r = 1; r <= rounds; r++)); do
        # Alternate which goes first, so that neither always runs right after the other's writeback.
        if ((r % 2)); then
                u_t=$(run_update)
                d_t=$(run_dd)
        else
                d_t=$(run_dd)
                u_t=$(run_update)
        fi
        read -r u_s u_user u_sys <<<"$u_t"
        read -r d_s d_user d_sys <<<"$d_t"
        u_rate+=("$(mibs "$u_s")") d_rate+=("$(mibs "$d_s")")
        u_cpu+=("$(awk -v a="$u_user" -v b="$u_sys" 'BEGIN { print a + b }')")
        d_cpu+=("$(awk -v a="$d_user" -v b="$d_sys" 'BEGIN { print a + b }')")
        ratios+=("$(awk -v u="$u_s" -v d="$d_s" 'BEGIN { printf "%.4f\n", d / u }')")
        note "round $r: update ${u_rate[-1]} MiB/s (${u_s} s, CPU ${u_cpu[-1]} s)," \
                "dd ${d_rate[-1]} MiB/s (${d_s} s, CPU ${d_cpu[-1]} s)"
done
check_disk disk-update.img
check_disk disk-dd.img
cmp -s "esp/EFI/Linux/bulkhead-$VARIANT_version-b+3.efi" image/uki-b.efi ||
        die "the agent's UKI is not uki-b.efi"

u=$(printf '%s\n' "${u_rate[@]}" | median)
d=$(printf '%s\n' "${d_rate[@]}" | median)
ratio=$(printf '%s\n' "${ratios[@]}" | median | awk '{ printf "%.2f", $1 }')
echo
echo "bench-update (median of $rounds, $cache)"
echo "bytes written: $bytes = root $root_bytes + verity $verity_bytes + UKI $uki_bytes" \
        "(root downloaded zstd-compressed: $zst_bytes)"
echo "update: $u MiB/s  dd: $d MiB/s  ratio $ratio (target >= 0.80)"
echo "CPU time (user+sys) per run: update $(printf '%s\n' "${u_cpu[@]}" | median) s," \
        "dd $(printf '%s\n' "${d_cpu[@]}" | median) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "The update's time includes everything apply does (TUF refresh, download, decompression, fsync, the"
echo "read-back checks and the verity tree of decision 0010); dd only copies and fsyncs."
