#!/bin/bash
# SPDX-License-Identifier: MIT
# A boot on trial that hangs. 0.2.0 is built so that its boot never gets judged (bulkhead-ready waits
# forever before it runs), which no health check can see: only the watchdog on boot-complete.target
# (decision 0011) ends such a boot, by rebooting it, which systemd-boot counts as a failed try. The node,
# on 0.1.0, applies 0.2.0 by itself in its maintenance window (what the update timer starts) and reboots.
# 0.2.0 must hang and be rebooted at most three times; then the node comes back to 0.1.0 by itself, says
# which boots were never judged, and its automatic updates do not take 0.2.0 again. The watchdog waits 10
# minutes in the image; this test's 0.2.0 shortens that to 90 s, so that three tries fit. About 15 minutes,
# so it runs in `make test-long` (LONG=1), or alone with HANG=1.
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
publish_image "$v2" IMAGE_OVERLAY="$WORK/hang" || { fail "could not build and publish $v2"; finish; }
serve_repo "$WORK/repo"
vm_start_api "$disk"
vm_wait "^bulkhead: ready version=$v1 set=a" 300 || { fail "$v1 did not get ready"; console | tail -20; finish; }
api set updates.metadata-base-url=http://10.0.2.100/metadata/ updates.targets-base-url=http://10.0.2.100/targets/ \
        updates.ignore-waves=true >/dev/null || { fail "could not point the node at the repository"; finish; }
# The update comes as the timer brings it (bulkhead-update.service runs `apiclient update auto`): automatic
# updates on, a maintenance window open now; the API server applies and reboots by itself.
api set updates.automatic=true updates.maintenance-window.start-time="$(date -u -d '-2 min' +%H:%M)" \
        updates.maintenance-window.length-minutes=120 >/dev/null || fail "could not open a maintenance window"
out=$(api update auto) && pass "apiclient update auto, inside the window: $out" || { fail "update auto: $out"; finish; }
vm_wait_exit 300 && pass "the node rebooted into $v2 by itself" || { fail "the node did not reboot into $v2"; finish; }

# Each boot of 0.2.0 starts on trial and must end by a reboot, with no ready line, within the watchdog's
# time after the boot (plus the boot itself under TCG).
hung=0
for attempt in 1 2 3 4 5; do
        vm_start_api "$disk"
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
# The window is still open, but automatic updates do not take again the version that did not stay booted.
out=$(api update auto) || fail "update auto after the fallback: $out"
if vm_wait_exit 30; then
        fail "update auto rebooted the node again after the fallback ($out)"
else
        grep -aq "^bulkhead: ready version=$v1 set=a" "$WORK/console.log" &&
                pass "update auto after the fallback skips $v2 and stays on $v1 ($out)"
fi
vm_shutdown || true
finish
