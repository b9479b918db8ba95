#!/bin/bash
# SPDX-License-Identifier: MIT
# Boots the image (Secure Boot on, snakeoil-signed) on a disk larger than the image, twice. Checks, from the
# console and the disk as a user could: the ready line; root is the dm-verity device, erofs, read-only; /etc
# is a tmpfs; /var comes from the data partition, which first boot grew to fill the disk and formatted and the
# second boot kept (its boot log, a file written under /var, survives); after a healthy boot the UKI has no
# tries left in its name.
. "$(dirname "$0")/lib.sh"
require_image
. "$TOP/tools/lib/variant.sh"
. "$TOP/tools/lib/common.sh"
variant_load "$TOP/variants/$VARIANT/variant.conf"

disk="$WORK/disk.img"
cp --sparse=always "$IMAGE" "$disk"
truncate -s 2G "$disk"
ready_re="^bulkhead: ready version=$VARIANT_version set=a boot_ms=[0-9]+"

boot() { # number
        vm_start "$disk" secure
        if vm_wait "$ready_re" 240; then
                pass "boot $1: $(grep -aE "$ready_re" "$WORK/console.log" | tr -d '\r')"
        else
                fail "boot $1: no ready line in 240 s"
                console | tail -n 40
                vm_kill
                finish
        fi
        status=$(grep -a '^bulkhead: root=' "$WORK/console.log" | tr -d '\r')
        # Blessing follows the ready line (on a boot still on trial, the first); powering off before it would
        # leave the boot on trial.
        if [ "$1" = 1 ]; then
                vm_wait '^bulkhead: boot blessed set=a' 120 && pass "boot 1: blessed" || fail "boot 1: no 'boot blessed' line"
        fi
        echo "  status: $status"
        cp "$WORK/console.log" "$WORK/console-$1.log"
}

boot 1
[[ "$status" =~ root=/dev/dm-[0-9]+\ erofs\ ro\ verity=yes ]] && pass "root is the dm-verity device, erofs, read-only" ||
        fail "root is not the read-only verity device: $status"
[[ "$status" == *"etc=tmpfs"* ]] && pass "/etc is a tmpfs" || fail "/etc is not a tmpfs: $status"
[[ "$status" =~ var=/dev/vda6 ]] && pass "/var is on the data partition" || fail "/var not from the data partition: $status"
[[ "$status" == *" containerd=up "* ]] && pass "containerd is up and serving its socket" ||
        fail "containerd is not serving: $status"
[[ "$status" == *"boots=1 "* ]] && pass "first boot recorded in /var/lib/bulkhead/boot-log" || fail "boot count not 1: $status"
vm_shutdown && pass "powered off cleanly (ACPI power button)" || fail "did not power off"

read -r off size < <(part_range "$disk" "BULKHEAD-DATA")
end=$(( (off + size) / 1048576 ))
[ "$end" -ge 2000 ] && pass "data partition grown to the end of the 2 GiB disk (ends at $end MiB)" ||
        fail "data partition ends at $end MiB, disk is 2048 MiB"
sgdisk -v "$disk" | grep -q "No problems found" && pass "sgdisk -v: no problems after growth" ||
        fail "sgdisk -v reports problems: $(sgdisk -v "$disk")"
dd if="$disk" of="$WORK/data.img" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
uuid1=$(dumpe2fs -h "$WORK/data.img" 2>/dev/null | awk '/Filesystem UUID/ { print $3 }')
label=$(dumpe2fs -h "$WORK/data.img" 2>/dev/null | awk '/Filesystem volume name/ { print $4 }')
[ "$label" = BULKHEAD-DATA ] && pass "data partition formatted ext4, label $label" || fail "data file system label '$label'"

esp_extract "$disk" "$WORK/esp.img"
ukis=$(mdir -b -i "$WORK/esp.img" ::/EFI/Linux/ 2>/dev/null | xargs -n1 basename)
if grep -qx "bulkhead-$VARIANT_version-a.efi" <<<"$ukis"; then
        pass "UKI blessed: EFI/Linux/bulkhead-$VARIANT_version-a.efi (no tries left in its name)"
else
        fail "UKI not blessed; ESP holds: $ukis"
fi

boot 2
[[ "$status" == *"boots=2 "* ]] && pass "second boot: /var/lib/bulkhead/boot-log survived (boots=2)" ||
        fail "boot log did not survive: $status"
vm_shutdown || true
dd if="$disk" of="$WORK/data.img" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
uuid2=$(dumpe2fs -h "$WORK/data.img" 2>/dev/null | awk '/Filesystem UUID/ { print $3 }')
[ -n "$uuid1" ] && [ "$uuid1" = "$uuid2" ] && pass "data file system not reformatted (UUID $uuid1)" ||
        fail "data file system changed: $uuid1 → $uuid2"
grep -aq "keeping the file system" "$WORK/console-2.log" "$WORK/console.log" 2>/dev/null || true
finish
