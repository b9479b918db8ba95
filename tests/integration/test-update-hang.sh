#!/bin/bash
# SPDX-License-Identifier: MIT
# A boot on trial that hangs. 0.2.0 is built so that its boot never gets judged (bulkhead-ready waits
# forever before it runs), which no health check can see: only the watchdog on boot-complete.target
# (decision 0011) ends such a boot, by rebooting it, which systemd-boot counts as a failed try. The node,
# on 0.1.0, applies 0.2.0 and reboots; 0.2.0 must hang and be rebooted at most three times, then the node
# comes back to 0.1.0 by itself and says which boots were never judged. The watchdog waits 10 minutes in
# the image; this test's 0.2.0 shortens that to 90 s, so that three tries fit. About 15 minutes, so it runs
# in `make test-long` (LONG=1), or alone with HANG=1.
. "$(dirname "$0")/lib.sh"
. "$TOP/tools/lib/variant.sh"
[ "${LONG:-0}" = 1 ] || [ "${HANG:-0}" = 1 ] || { echo "  (make test-long runs this test)"; exit 77; }
require_image
variant_load "$TOP/variants/$VARIANT/variant.conf"
v1=$VARIANT_version v2=0.2.0
timeout_s=90

disk="$WORK/disk.img"
cp --sparse=always "$IMAGE" "$disk"
truncate -s 3G "$disk"
api() { timeout 600 "$TOP/build/bin/apiclient" --socket "$WORK/api.sock" "$@"; }

# 0.2.0: bulkhead-ready first waits for a journal entry that never comes.
hang="$WORK/hang/usr/lib/systemd/system"
mkdir -p "$hang/bulkhead-ready.service.d" "$hang/boot-complete.target.d"
printf '[Service]\nTimeoutStartSec=infinity\nExecStartPre=/usr/bin/journalctl -f -q -n 0 -u no-such.service\n' \
        >"$hang/bulkhead-ready.service.d/99-hang.conf"
printf '[Unit]\nJobTimeoutSec=%ss\n' "$timeout_s" >"$hang/boot-complete.target.d/99-test.conf"

echo "  building $v2 (hangs on trial) and the repository (a few minutes)"
export SB_KEY=${SB_KEY:-$TOP/build/keys/snakeoil.key} SB_CERT=${SB_CERT:-/usr/share/ovmf/PkKek-1-snakeoil.pem}
REPO_DIR="$WORK/repo" "$TOP/tools/build-repo.sh" "$VARIANT" >"$WORK/repo.log" 2>&1 &&
        VERSION=$v2 IMAGES_DIR="$WORK/images" IMAGE_OVERLAY="$WORK/hang" "$TOP/tools/build-image.sh" "$VARIANT" \
                >"$WORK/build.log" 2>&1 &&
        VERSION=$v2 IMAGES_DIR="$WORK/images" REPO_DIR="$WORK/repo" "$TOP/tools/build-repo.sh" "$VARIANT" \
                >>"$WORK/repo.log" 2>&1 || { tail -20 "$WORK/build.log" "$WORK/repo.log"; fail "build"; finish; }
rm -rf "$WORK/images"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/repo" "$port" >"$WORK/http.log" 2>&1 &
http=$!
trap 'kill $http 2>/dev/null; cleanup' EXIT
export NETDEV_EXTRA=",guestfwd=tcp:10.0.2.100:80-cmd:socat - TCP:127.0.0.1:$port"
start_vm() {
        rm -f "$WORK/api.sock"
        vm_start "$disk" secure -device virtio-serial-pci \
                -chardev socket,id=api,path="$WORK/api.sock",server=on,wait=off \
                -device virtserialport,chardev=api,name=org.bulkhead.api
}

start_vm
vm_wait "^bulkhead: ready version=$v1 set=a" 300 || { fail "$v1 did not get ready"; console | tail -20; finish; }
api set updates.metadata-base-url=http://10.0.2.100/metadata/ updates.targets-base-url=http://10.0.2.100/targets/ \
        updates.ignore-waves=true >/dev/null || { fail "could not point the node at the repository"; finish; }
out=$(api update apply --reboot) && pass "update to $v2 applied: $out" || { fail "update apply: $out"; finish; }
vm_wait_exit 300 || { fail "the node did not reboot into $v2"; finish; }

# Each boot of 0.2.0 starts on trial and must end by a reboot, with no ready line, within the watchdog's
# time after the boot (plus the boot itself under TCG).
hung=0
for attempt in 1 2 3 4 5; do
        start_vm
        vm_wait "^bulkhead: (ready|unhealthy) version=" $((timeout_s + 300)) && break
        kill -0 "$QEMU_PID" 2>/dev/null && { fail "boot $attempt: neither ready nor rebooted"; vm_kill; break; }
        vm_wait_exit 5 || true
        hung=$((hung + 1))
        echo "  (boot $attempt: no ready line, rebooted by itself)"
done
[ "$hung" -ge 1 ] && [ "$hung" -le 3 ] && pass "$v2 hung $hung times, each ended by the watchdog (at most 3)" ||
        fail "$v2 hung $hung times"
if grep -aq "^bulkhead: ready version=$v1 set=a" "$WORK/console.log"; then
        pass "back on $v1 set a by itself: $(grep -a '^bulkhead: ready' "$WORK/console.log" | tr -d '\r')"
else
        fail "not back on $v1: $(grep -a '^bulkhead:' "$WORK/console.log" | tr -d '\r' | tail -3)"
fi
records=$(grep -ac "^bulkhead: earlier boot failed: version=$v2 set=b: never judged" "$WORK/console.log" || true)
[ "$records" -eq "$hung" ] &&
        pass "the record says why, once per hung boot: $(grep -a '^bulkhead: earlier boot failed' "$WORK/console.log" | head -1 | tr -d '\r')" ||
        fail "$records records of never-judged boots for $hung hung boots"
got=$(api --json get motd) && pass "the settings API works on $v1: $got" || fail "the API after the fallback: $got"
vm_shutdown || true
finish
