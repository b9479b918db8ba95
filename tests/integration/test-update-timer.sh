#!/bin/bash
# SPDX-License-Identifier: MIT
# Automatic updates as shipped: nothing but settings. The node, on 0.1.0, is pointed at a repository that
# offers 0.2.0, with automatic updates on and a maintenance window open; no update command is sent. The
# update timer (bulkhead-update.timer: first look 10 minutes after boot, then every 15 to 20) starts
# `apiclient update auto`, which applies 0.2.0 and reboots; the node comes back as 0.2.0 on set b. Under
# TCG that is up to half an hour, so it runs in `make test-long` (LONG=1), or alone with TIMER=1.
. "$(dirname "$0")/lib.sh"
. "$TOP/tools/lib/variant.sh"
[ "${LONG:-0}" = 1 ] || [ "${TIMER:-0}" = 1 ] || { echo "  (make test-long runs this test)"; exit 77; }
require_image
variant_load "$TOP/variants/$VARIANT/variant.conf"
v1=$VARIANT_version v2=0.2.0

disk="$WORK/disk.img"
cp --sparse=always "$IMAGE" "$disk"
truncate -s 3G "$disk"
api() { timeout 600 "$TOP/build/bin/apiclient" --socket "$WORK/api.sock" "$@"; }

echo "  building $v2 and the repository (a few minutes)"
publish_image "$v2" || { fail "could not build and publish $v2"; finish; }
serve_repo "$WORK/repo"
vm_start_api "$disk"
vm_wait "^bulkhead: ready version=$v1 set=a" 300 || { fail "$v1 did not get ready"; console | tail -20; finish; }
booted=$(date +%s)
api set updates.metadata-base-url=http://10.0.2.100/metadata/ updates.targets-base-url=http://10.0.2.100/targets/ \
        updates.ignore-waves=true updates.automatic=true \
        updates.maintenance-window.start-time="$(date -u -d '-2 min' +%H:%M)" \
        updates.maintenance-window.length-minutes=120 >/dev/null || { fail "could not set up automatic updates"; finish; }
pass "automatic updates on, window open, repository set; no update command sent"
# First look at 10 minutes, plus up to 5 of random delay and 1 of accuracy; then the apply and its reboot.
if vm_wait_exit 1500; then
        pass "the node rebooted by itself $(( $(date +%s) - booted )) s after its ready line"
else
        fail "no reboot in 25 minutes: $(grep -a 'bulkhead' "$WORK/console.log" | tr -d '\r' | tail -3)"
        finish
fi
vm_start_api "$disk"
vm_wait "^bulkhead: (ready|unhealthy) version=" 300 || { fail "no ready line after the automatic update"; finish; }
line=$(grep -a '^bulkhead: ready' "$WORK/console.log" | tr -d '\r' | tail -1)
[[ "$line" == "bulkhead: ready version=$v2 set=b "* ]] && pass "the timer's update took: $line" ||
        fail "not on $v2 set b: $(grep -a '^bulkhead:' "$WORK/console.log" | tr -d '\r' | tail -3)"
got=$(api --json raw -u /updates/status) && pass "GET /updates/status on $v2: $got" || fail "status: $got"
vm_shutdown || true
finish
