#!/bin/bash
# SPDX-License-Identifier: MIT
# One byte of root-a changed, in a block every boot reads (the block holding the root directory's inode):
# the VM must refuse to run it, rebooting with a clear console message, and never reach the ready line.
. "$(dirname "$0")/lib.sh"
require_image

disk="$WORK/disk.img"
cp --sparse=always "$IMAGE" "$disk"
read -r off size < <(part_range "$disk" root-a)
# erofs superblock at byte 1024: root_nid u16 at +14, meta_blkaddr u32 at +40; inode = meta*4096 + nid*32.
sb=$((off + 1024))
nid=$(od -An -tu2 -j $((sb + 14)) -N2 "$disk" | tr -d ' ')
meta=$(od -An -tu4 -j $((sb + 40)) -N4 "$disk" | tr -d ' ')
target=$((off + meta * 4096 + nid * 32 + 8)) # i_mode/i_nlink area of the root inode
old=$(od -An -tu1 -j "$target" -N1 "$disk" | tr -d ' ')
printf "$(printf '\\%03o' $(((old + 1) % 256)))" | dd of="$disk" bs=1 seek="$target" conv=notrunc status=none
echo "  changed byte at root-a+$((target - off)) (block $(((target - off) / 4096))) from $old to $(((old + 1) % 256))"

vm_start "$disk" secure
if vm_wait "bulkhead: ready" 150; then
        fail "the VM reached the ready line with modified root data"
else
        pass "no ready line with modified root data"
fi
vm_kill
msg=$(grep -aiE 'verity.*(corrupt|fail)|bulkhead-init:.*(cannot|fail)' "$WORK/console.log" | head -n2 | tr -d '\r')
[ -n "$msg" ] && pass "console says why: $msg" || { fail "no clear console message"; console | tail -n 30; }
grep -aq 'Restarting\|reboot' "$WORK/console.log" && pass "the machine reboots rather than running modified data" ||
        echo "  (no reboot message seen; QEMU state: $(kill -0 $QEMU_PID 2>/dev/null && echo running || echo exited))"
finish
