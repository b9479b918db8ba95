#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench-boot: boots the Bulkhead image and a baseline in the same run, with the same kernel package,
# firmware (OVMF) and QEMU flags, and prints time to ready (container runtime up), root file system bytes
# and memory in use after boot, with the ratios Bulkhead/baseline.
# The baseline is Debian bookworm minbase + systemd + udev + containerd made by debootstrap, with Debian's
# own initramfs, booted from an ext4 root; it reports readiness once `ctr version` answers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/tools/lib/common.sh"
require_tools debootstrap qemu-system-x86_64 mkfs.ext4
variant=${1:-qemu}
runs=${RUNS:-3}
work="$top/build/bench"
mkdir -p "$work"
base="$work/baseline"

if [ ! -f "$base/done" ]; then
        note "building the baseline with debootstrap (once; kept in $base)"
        rm -rf "$base"
        mkdir -p "$base"
        debootstrap --variant=minbase --include=systemd,systemd-sysv,udev,containerd,linux-image-cloud-amd64,initramfs-tools \
                bookworm "$base/root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
                die "debootstrap failed (see $work/debootstrap.log)"
        cat >"$base/root/etc/systemd/system/baseline-ready.service" <<'UNIT'
[Unit]
After=containerd.service
Requires=containerd.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'until ctr version >/dev/null 2>&1; do sleep 0.1; done; read up idle </proc/uptime; m=$(awk "/^MemTotal:/{t=\\$2}/^MemFree:/{f=\\$2}/^MemAvailable:/{a=\\$2}/^Buffers:/{b=\\$2}/^Cached:/{c=\\$2}/^SReclaimable:/{r=\\$2}/^Shmem:/{s=\\$2}END{print t-f-b-c-r+s, t-a}" /proc/meminfo); set -- $m; echo "baseline: ready uptime=$up mem_used_kib=$1 mem_unavailable_kib=$2" >/dev/console'
[Install]
WantedBy=multi-user.target
UNIT
        ln -sf ../baseline-ready.service "$base/root/etc/systemd/system/multi-user.target.wants/baseline-ready.service"
        echo "root:x:0:0:root:/root:/bin/sh" >/dev/null
        printf '/dev/vda / ext4 defaults 0 1\n' >"$base/root/etc/fstab"
        cp "$base/root"/boot/vmlinuz-* "$base/vmlinuz"
        cp "$base/root"/boot/initrd.img-* "$base/initrd"
        du -sb --exclude=boot "$base/root" | cut -f1 >"$base/root-bytes"
        truncate -s 2G "$base/root.img"
        mkfs.ext4 -q -F -d "$base/root" "$base/root.img"
        touch "$base/done"
fi

[ "${BASELINE_ONLY:-0}" = 1 ] && exit 0

firmware=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
        -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd)
qemu_common=(-accel tcg -cpu max -smp 2 -m 2048 -display none -no-reboot
        -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0)

# boot_once NAME PATTERN ARGS...: prints "ms mem_kib" from the console line matching PATTERN.
boot_once() {
        local name=$1 pattern=$2 log="$work/$1.console" pid i line
        shift 2
        cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/$name.vars"
        : >"$log"
        qemu-system-x86_64 "${qemu_common[@]}" "${firmware[@]}" \
                -drive if=pflash,format=raw,unit=1,file="$work/$name.vars" -serial file:"$log" "$@" &
        pid=$!
        for ((i = 0; i < 600; i++)); do
                line=$(grep -a "$pattern" "$log" | head -n1 || true)
                [ -n "$line" ] && break
                sleep 0.5
        done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        [ -n "$line" ] || die "$name did not report readiness in 300 s (see $log)"
        echo "$line"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

img="$top/build/images/bulkhead-$variant-x86_64.img"
b_ms=() b_mem=() b_unav=() x_ms=() x_mem=() x_unav=()
for ((r = 1; r <= runs; r++)); do
        qemu-img create -q -f qcow2 -F raw -b "$img" "$work/bulkhead.qcow2" 4G
        line=$(boot_once bulkhead 'bulkhead: ready' -drive if=virtio,format=qcow2,file="$work/bulkhead.qcow2")
        x_ms+=("$(sed -n 's/.*boot_ms=\([0-9]*\).*/\1/p' <<<"$line")")
        status=$(grep -a 'bulkhead: root=' "$work/bulkhead.console" | head -n1)
        x_mem+=("$(sed -n 's/.*mem_used_kib=\([0-9]*\).*/\1/p' <<<"$status")")
        x_unav+=("$(sed -n 's/.*mem_unavailable_kib=\([0-9]*\).*/\1/p' <<<"$status")")
        qemu-img create -q -f qcow2 -F raw -b "$base/root.img" "$work/baseline.qcow2"
        line=$(boot_once baseline 'baseline: ready' -drive if=virtio,format=qcow2,file="$work/baseline.qcow2" \
                -kernel "$base/vmlinuz" -initrd "$base/initrd" -append "root=/dev/vda rw console=ttyS0 quiet")
        b_ms+=("$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^uptime=/) { sub("uptime=", "", $i); printf "%d", $i * 1000 } }' <<<"$line")")
        b_mem+=("$(sed -n 's/.*mem_used_kib=\([0-9]*\).*/\1/p' <<<"$line")")
        b_unav+=("$(sed -n 's/.*mem_unavailable_kib=\([0-9]*\).*/\1/p' <<<"$line")")
        note "run $r: bulkhead ${x_ms[-1]} ms ${x_mem[-1]} KiB; baseline ${b_ms[-1]} ms ${b_mem[-1]} KiB"
done

xt=$(printf '%s\n' "${x_ms[@]}" | median) bt=$(printf '%s\n' "${b_ms[@]}" | median)
xm=$(printf '%s\n' "${x_mem[@]}" | median) bm=$(printf '%s\n' "${b_mem[@]}" | median)
xu=$(printf '%s\n' "${x_unav[@]}" | median) bu=$(printf '%s\n' "${b_unav[@]}" | median)
xs=$(stat -c %s "$top/build/images/$variant/root.erofs") bs=$(cat "$base/root-bytes")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%-28s %14s %14s %8s %8s\n' "bench-boot (median of $runs)" bulkhead baseline ratio target
printf '%-28s %14s %14s %8s %8s\n' "time to ready (ms)" "$xt" "$bt" "$(ratio "$xt" "$bt")" "<=0.30"
printf '%-28s %14s %14s %8s %8s\n' "root file system (bytes)" "$xs" "$bs" "$(ratio "$xs" "$bs")" "<=0.40"
printf '%-28s %14s %14s %8s %8s\n' "memory in use (KiB)" "$xm" "$bm" "$(ratio "$xm" "$bm")" "<=0.50"
printf '%-28s %14s %14s %8s %8s\n' "  total-available (KiB)" "$xu" "$bu" "$(ratio "$xu" "$bu")" "-"
echo "memory in use: MemTotal-MemFree-Buffers-Cached-SReclaimable+Shmem (page cache is reclaimable, tmpfs is not);"
echo "total-available includes the kernel's watermark reserves, the same for both systems."
