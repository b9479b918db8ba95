#!/bin/bash
# SPDX-License-Identifier: MIT
# Boots an image in QEMU with the console on this terminal (Ctrl-a x quits). The image itself is not
# changed: the VM runs on a qcow2 overlay in build/run/ (kept between runs; RESET=1 starts afresh) grown to
# DISK_SIZE so the first boot has room to grow the data partition. SECURE_BOOT=1 uses OVMF with Debian's
# snakeoil keys enrolled (the image must then be signed with that key: see README). USER_DATA=FILE passes a
# TOML user data file through fw_cfg (read at the first boot of a fresh disk).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
image=${1:?usage: run-vm.sh IMAGE}
[ -f "$image" ] || die "image '$image' not found (make image)"
require_tools qemu-system-x86_64 qemu-img
run="$(cd "$here/.." && pwd)/build/run"
mkdir -p "$run"
if [ "${RESET:-0}" = 1 ] || [ ! -f "$run/disk.qcow2" ] || [ "$image" -nt "$run/disk.qcow2" ]; then
        rm -f "$run/disk.qcow2"
        qemu-img create -q -f qcow2 -F raw -b "$(realpath "$image")" "$run/disk.qcow2" "${DISK_SIZE:-4G}"
        cp /usr/share/OVMF/OVMF_VARS_4M.fd "$run/vars.fd"
        [ "${SECURE_BOOT:-0}" = 1 ] && cp /usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd "$run/vars.fd"
fi
accel=${ACCEL:-tcg}
note "booting $image (accel=$accel); console below, Ctrl-a x to quit"
# The hypervisor channel to the node's API (virtio-serial org.bulkhead.api): manage it from this host.
note "manage the node from another terminal: build/bin/apiclient --socket $run/api.sock get settings"
userdata=()
[ -n "${USER_DATA:-}" ] && userdata=(-fw_cfg "name=opt/org.bulkhead/user-data,file=$USER_DATA")
exec qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m 1024 -machine q35,smm=on \
        -global driver=cfi.pflash01,property=secure,value=on \
        -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd \
        -drive if=pflash,format=raw,unit=1,file="$run/vars.fd" \
        -drive if=virtio,format=qcow2,file="$run/disk.qcow2" \
        -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 \
        -device virtio-serial-pci -chardev socket,id=api,path="$run/api.sock",server=on,wait=off \
        -device virtserialport,chardev=api,name=org.bulkhead.api "${userdata[@]}" \
        -nographic -serial mon:stdio
