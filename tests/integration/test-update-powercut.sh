#!/bin/bash
# SPDX-License-Identifier: MIT
# Power cut during an update. The node runs 0.1.0 or 0.2.0 and installs the other one (downgrades allowed)
# from a repository served through a QEMU guestfwd; QEMU is killed at a random moment while the agent
# writes. Every following boot must reach the ready line on one of the two versions: a set is bootable
# only once its UKI appears, and that happens after the set is written and verified (decision 0010).
# RUNS cuts (20; `make test-long`: 100); the boot after one cut is where the next update starts.
. "$(dirname "$0")/lib.sh"
. "$TOP/tools/lib/variant.sh"
require_image
variant_load "$TOP/variants/$VARIANT/variant.conf"
v1=$VARIANT_version v2=0.2.0
runs=${RUNS:-$([ "${LONG:-0}" = 1 ] && echo 100 || echo 20)}

disk="$WORK/disk.img"
cp --sparse=always "$IMAGE" "$disk"
truncate -s 3G "$disk"
api() { timeout 600 "$TOP/build/bin/apiclient" --socket "$WORK/api.sock" "$@"; }

echo "  building $v2 and the repository (a few minutes)"
publish_image "$v2" || { fail "could not build and publish $v2"; finish; }
serve_repo "$WORK/repo"

# boot: starts the VM and waits for the ready line; sets now="VERSION SET" and returns 0, or returns 1 if
# the node never got ready. A boot on trial that is unhealthy reboots (QEMU exits, -no-reboot): start it
# again, a few times. Not run in $(...): QEMU would hold the substitution's pipe open, and its pid would
# stay in the subshell.
boot() {
        local attempt line
        now=
        for attempt in 1 2 3 4; do
                vm_start_api "$disk"
                vm_wait "^bulkhead: (ready|unhealthy) version=" 300 || { vm_kill; return 1; }
                line=$(grep -a -m1 -E "^bulkhead: (ready|unhealthy) version=" "$WORK/console.log" | tr -d '\r')
                case $line in
                "bulkhead: ready "*)
                        now=$(sed -E 's/^bulkhead: ready version=([^ ]+) set=([ab]).*/\1 \2/' <<<"$line")
                        return 0
                        ;;
                esac
                echo "  (boot $attempt: $line)" >&2
                vm_wait_exit 120 || vm_kill
        done
        return 1
}

# The other version, and its apply request (a downgrade is asked for explicitly).
target_of() { [ "$1" = "$v1" ] && echo "$v2" || echo "$v1"; }
apply_path() {
        local q="version=$1&reboot=false"
        [ "$1" = "$v2" ] || q+="&allow-downgrade=true"
        echo "/actions/update/apply?$q"
}

boot || { fail "the first boot did not get ready"; console | tail -20; finish; }
api set updates.metadata-base-url=http://10.0.2.100/metadata/ updates.targets-base-url=http://10.0.2.100/targets/ \
        updates.ignore-waves=true >/dev/null || { fail "could not point the node at the repository"; finish; }

# One whole update first, to learn how long one takes; the cuts fall in [0, that + 20 %].
start=$(date +%s%N)
out=$(api update apply --version "$v2") || true
span_ms=$((($(date +%s%N) - start) / 1000000))
[ "$out" = "ready $v2" ] && pass "a whole update takes ${span_ms} ms here: $out" || { fail "update apply: $out"; finish; }
# Cut at once: "ready" must mean on the disk, so the next boot is the new version. What the ESP holds now,
# read by mtools (another FAT reader), is shown.
vm_kill
esp_extract "$disk" "$WORK/esp.img"
echo "  the ESP after the cut (mdir):"
mdir -i "$WORK/esp.img" ::/EFI/Linux 2>&1 | grep -a bulkhead | sed 's/^/    /' || true

ok=0 seen_v1=0 seen_v2=0 lost=0 stayed=0 switched=0 before=
declare -A states=()
for ((run = 1; run <= runs; run++)); do
        if ! boot; then
                fail "run $run: the boot after the cut did not get ready"
                console | grep -a -E "bulkhead|Failed|verity|panic" | tail -n 20
                break
        fi
        ok=$((ok + 1))
        case ${now% *} in "$v1") seen_v1=$((seen_v1 + 1)) ;; "$v2") seen_v2=$((seen_v2 + 1)) ;; esac
        # The apply asked for before the cut goes to the other version: a node still on the version it ran
        # was cut before the new set became bootable (the UKI is placed last), one on the other after.
        if [ -n "$before" ]; then
                if [ "${now% *}" = "$before" ]; then stayed=$((stayed + 1)); else switched=$((switched + 1)); fi
        fi
        before=${now% *}
        # Where the cut found the agent: the state it had recorded (ready: after the UKI was placed and the
        # ESP synced). A node whose agent said ready must boot that version: the update was durable.
        status=$(api raw -u /updates/status 2>/dev/null | tr -d '\n') || status=
        state=$(sed -nE 's/.*"state": *"([a-z]+)".*/\1/p' <<<"$status")
        version=$(sed -nE 's/.*"version": *"([^"]+)".*/\1/p' <<<"$status")
        states[${state:-none}]=$((${states[${state:-none}]:-0} + 1))
        if [ "$state" = ready ] && [ "$version" != "${now% *}" ]; then
                fail "run $run: the agent had said ready for $version, but the node booted ${now% *}"
                lost=$((lost + 1))
        fi
        [ "$run" -lt "$runs" ] || break
        target=$(target_of "${now% *}")
        delay_ms=$(((RANDOM * 32768 + RANDOM) % (span_ms * 12 / 10 + 1)))
        api raw -X POST -u "$(apply_path "$target")" >/dev/null 2>&1 &
        client=$!
        sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
        vm_kill
        wait "$client" 2>/dev/null || true
done
summary=""
for s in "${!states[@]}"; do summary+=" $s=${states[$s]}"; done
# Run 1 boots after the whole update; each later run after a cut.
echo "power cut: $ok/$runs boots after a cut reached the ready line ($seen_v1 on $v1, $seen_v2 on $v2;" \
        "update state found:$summary; $stayed cuts fell before the new set was bootable, $switched after)"
[ "$ok" -eq "$runs" ] && pass "every boot after a power cut reached the ready line on $v1 or $v2" ||
        fail "$((runs - ok)) boots after a cut did not reach the ready line"
[ "$seen_v2" -ge 1 ] && [ "$lost" -eq 0 ] && pass "no update the agent had called ready was lost to a cut" ||
        fail "updates lost after ready: $lost; boots on $v2: $seen_v2"
finish
