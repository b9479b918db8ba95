#!/bin/bash
# SPDX-License-Identifier: MIT
# Settings end to end in QEMU. Bottlerocket-style user data goes in through fw_cfg; the host manages the
# node with apiclient over the hypervisor channel (virtio-serial org.bulkhead.api). Checks: user data is
# live (motd, hostname, NTP servers, a sysctl, DNS); every rendered file's sha256 as the node reports it
# equals the host's rendering of the image's template with the same settings; a change re-renders live;
# settings survive a reboot; bad user data does not stop the boot and is reported.
. "$(dirname "$0")/lib.sh"
require_image

disk="$WORK/disk.img"
cp --sparse=always "$IMAGE" "$disk"
truncate -s 2G "$disk"
templates="$IMAGES/$VARIANT/rootfs/usr/share/bulkhead/templates" # exactly what the image ships
api() { timeout 60 "$TOP/build/bin/apiclient" --socket "$WORK/api.sock" "$@"; }
ready_re='^bulkhead: ready version='

cat >"$WORK/user-data.toml" <<'TOML'
[settings]
motd = "Hello from user data"

[settings.network]
hostname = "node-under-test"

[settings.ntp]
time-servers = ["time.example.com"]

[settings.kernel.sysctl]
"vm.max_map_count" = "262144"

[settings.dns]
name-servers = ["10.0.2.3"]
search-list = ["example.internal"]
TOML

boot() { # user-data-file
        vm_start_api "$disk" \
                -fw_cfg name=opt/org.bulkhead/user-data,file="$1"
        if ! vm_wait "$ready_re" 300; then
                fail "no ready line in 300 s"
                console | tail -n 40
                finish
        fi
}

boot "$WORK/user-data.toml"
got=$(api --json get motd network.hostname ntp kernel.sysctl dns)
want='{"motd":"Hello from user data","network":{"hostname":"node-under-test"},"ntp":{"time-servers":["time.example.com"]},"kernel":{"sysctl":{"vm.max_map_count":"262144"}},"dns":{"name-servers":["10.0.2.3"],"search-list":["example.internal"]}}'
[ "$got" = "$want" ] && pass "user data from fw_cfg is live: $got" || fail "settings after user data: $got"
status=$(api --json raw -u /os)
[[ "$status" == *'"user_data":{"status":"applied"'* ]] && pass "GET /os reports the user data applied" ||
        fail "GET /os: $status"

check_files() { # what
        local files settings name node tmpl host bad=0 n=0
        api --json get >"$WORK/settings.json"
        files=$(api --json raw -u /configuration-files)
        for name in $(jq -r 'keys[]' <<<"$files"); do
                node=$(jq -r --arg n "$name" '.[$n].sha256' <<<"$files")
                tmpl=$(jq -r --arg n "$name" '.[$n].template' <<<"$files")
                host=$("$TOP/build/bin/render" --settings "$WORK/settings.json" --template "$templates/$tmpl" \
                        --partials "$templates" | sha256sum | cut -d' ' -f1)
                n=$((n + 1))
                if [ "$node" != "$host" ]; then
                        bad=$((bad + 1))
                        echo "    $name: node $node, host $host ($(jq -c --arg n "$name" '.[$n]' <<<"$files"))"
                fi
        done
        [ "$bad" -eq 0 ] && [ "$n" -gt 5 ] && pass "$1: all $n configuration files have the sha256 the host computes" ||
                fail "$1: $bad of $n configuration files differ from the host's rendering"
}
check_files "first boot"

api set motd="changed live"
motd_sha=$(api --json raw -u '/configuration-files?names=motd' | jq -r .motd.sha256)
[ "$motd_sha" = "$(printf 'changed live\n' | sha256sum | cut -d' ' -f1)" ] &&
        pass "apiclient set motd re-rendered /etc/motd live" || fail "motd after set: $motd_sha"

# Clients one after another, as fast as they come: each is answered (a set is two connections back to
# back). The bridge must not lose a request to the hang-up of the client before it.
lost=0
for i in $(seq 40); do
        if [ $((i % 4)) -eq 0 ]; then
                timeout 30 "$TOP/build/bin/apiclient" --socket "$WORK/api.sock" set motd="round $i" || lost=$((lost + 1))
        else
                timeout 30 "$TOP/build/bin/apiclient" --socket "$WORK/api.sock" get motd >/dev/null || lost=$((lost + 1))
        fi
done
got=$(api --json get motd)
[ "$lost" -eq 0 ] && [ "$got" = '{"motd":"round 40"}' ] && pass "40 API clients in a row, each answered" ||
        fail "$lost of 40 API clients had no answer in 30 s (motd $got)"
api set motd="changed live"

vm_shutdown || fail "did not power off"
printf '[settings]\nmotd = "must not apply: not first boot"\n' >"$WORK/second.toml"
boot "$WORK/second.toml"
got=$(api --json get motd network.hostname)
[ "$got" = '{"motd":"changed live","network":{"hostname":"node-under-test"}}' ] &&
        pass "after a reboot the settings persist (and user data is first-boot only): $got" ||
        fail "after reboot: $got"
check_files "second boot"
vm_shutdown || true

# Bad user data on a fresh disk: the boot goes on with defaults and the errors are reported.
cp --sparse=always "$IMAGE" "$disk"
truncate -s 2G "$disk"
printf '[settings]\nmotd = "ok"\nno-such-key = 1\n[settings.network]\nhostname = "-bad-"\n' >"$WORK/bad.toml"
boot "$WORK/bad.toml"
status=$(api --json raw -u /os)
[[ "$status" == *'"status":"invalid"'* && "$status" == *'settings.no-such-key'* && "$status" == *'settings.network.hostname'* ]] &&
        pass "invalid user data: boot reached ready, both errors reported by name" || fail "GET /os: $status"
grep -aq "userdata: .*settings.no-such-key" "$WORK/console.log" && pass "the console shows the user data error" ||
        fail "no user data error on the console"
[ "$(api --json get motd)" = '{"motd":"Welcome to Bulkhead (qemu)!"}' ] && pass "settings stayed on the defaults" ||
        fail "settings changed by invalid user data: $(api --json get motd)"
vm_shutdown || true
finish
