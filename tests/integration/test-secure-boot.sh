#!/bin/bash
# SPDX-License-Identifier: MIT
# With Secure Boot enforced (OVMF with Debian's snakeoil keys), the firmware refuses an unsigned UKI and a
# signed UKI with one byte changed. (The signed image booting is shown by test-boot.sh.)
. "$(dirname "$0")/lib.sh"
require_image
. "$TOP/tools/lib/common.sh"
. "$TOP/tools/lib/variant.sh"
variant_load "$TOP/variants/$VARIANT/variant.conf"
uki="::/EFI/Linux/bulkhead-$VARIANT_version-a+3.efi"

try_uki() { # description file
        local disk="$WORK/disk.img"
        cp --sparse=always "$IMAGE" "$disk"
        esp_extract "$disk" "$WORK/esp.img"
        mcopy -o -i "$WORK/esp.img" "$2" "$uki"
        esp_store "$WORK/esp.img" "$disk"
        vm_start "$disk" secure
        if vm_wait "bulkhead-init:|Linux version|bulkhead: ready" 60; then
                fail "$1: the firmware ran it"
        else
                pass "$1: refused ($(grep -aoE 'Security Violation|Access Denied|Failed to [^.]*' "$WORK/console.log" | head -n1))"
        fi
        vm_kill
}

sbattach --remove "$IMAGES/$VARIANT/uki-a.efi" --output "$WORK/unsigned.efi" >/dev/null 2>&1 ||
        { cp "$IMAGES/$VARIANT/uki-a.efi" "$WORK/unsigned.efi"; sbattach --remove "$WORK/unsigned.efi" >/dev/null; }
sbverify --list "$WORK/unsigned.efi" 2>&1 | grep -q 'No signature' && pass "unsigned copy has no signature" ||
        fail "could not strip the signature"
try_uki "unsigned UKI" "$WORK/unsigned.efi"

cp "$IMAGES/$VARIANT/uki-a.efi" "$WORK/modified.efi"
# Change one byte of the .cmdline section's text (what an attacker would change): find "roothash=" in it.
pos=$(grep -abo 'roothash=' "$WORK/modified.efi" | head -n1 | cut -d: -f1)
printf 'X' | dd of="$WORK/modified.efi" bs=1 seek=$((pos + 9)) conv=notrunc status=none
try_uki "signed UKI with one byte of its command line changed" "$WORK/modified.efi"
finish
