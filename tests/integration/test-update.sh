#!/bin/bash
# SPDX-License-Identifier: MIT
# A signed A/B update end to end. Builds version 0.2.0 of the variant beside the image under test (0.1.0),
# publishes both in a fresh TUF repository signed with the keys the image trusts, serves it on 127.0.0.1
# and hands it to the guest through a QEMU guestfwd (10.0.2.100:80). The node, booted from 0.1.0, sees
# 0.2.0 with `apiclient update check`, writes it to the other partition set with `update apply --reboot`,
# and comes back as 0.2.0 on set b with the settings made on 0.1.0, and blesses that boot.
. "$(dirname "$0")/lib.sh"
. "$TOP/tools/lib/variant.sh"
. "$TOP/tools/lib/common.sh"
require_image
variant_load "$TOP/variants/$VARIANT/variant.conf"
v1=$VARIANT_version v2=0.2.0
[ "$v1" != "$v2" ] || { echo "the variant's version is already $v2"; exit 1; }

disk="$WORK/disk.img"
cp --sparse=always "$IMAGE" "$disk"
truncate -s 3G "$disk"
api() { timeout 600 "$TOP/build/bin/apiclient" --socket "$WORK/api.sock" "$@"; }

echo "  building $v2 and the repository (a few minutes)"
export SB_KEY=${SB_KEY:-$TOP/build/keys/snakeoil.key} SB_CERT=${SB_CERT:-/usr/share/ovmf/PkKek-1-snakeoil.pem}
REPO_DIR="$WORK/repo" "$TOP/tools/build-repo.sh" "$VARIANT" >"$WORK/repo.log" 2>&1 ||
        { cat "$WORK/repo.log"; fail "could not publish $v1"; finish; }
VERSION=$v2 IMAGES_DIR="$WORK/images" "$TOP/tools/build-image.sh" "$VARIANT" >"$WORK/build.log" 2>&1 ||
        { tail -20 "$WORK/build.log"; fail "could not build $v2"; finish; }
VERSION=$v2 IMAGES_DIR="$WORK/images" REPO_DIR="$WORK/repo" "$TOP/tools/build-repo.sh" "$VARIANT" \
        >>"$WORK/repo.log" 2>&1 || { cat "$WORK/repo.log"; fail "could not publish $v2"; finish; }
pass "published $v1 and $v2 in a repository signed with the keys the image trusts"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/repo" "$port" >"$WORK/http.log" 2>&1 &
http=$!
trap 'kill $http 2>/dev/null; cleanup' EXIT
# cmd: starts a relay for each connection the guest opens (a tcp: target would connect once, at start).
export NETDEV_EXTRA=",guestfwd=tcp:10.0.2.100:80-cmd:socat - TCP:127.0.0.1:$port"

boot() { # expected version and set
        rm -f "$WORK/api.sock"
        vm_start "$disk" secure -device virtio-serial-pci \
                -chardev socket,id=api,path="$WORK/api.sock",server=on,wait=off \
                -device virtserialport,chardev=api,name=org.bulkhead.api
        if vm_wait "^bulkhead: ready version=$1 set=$2 " 300; then
                pass "ready: $(grep -a "^bulkhead: ready" "$WORK/console.log" | tail -n1 | tr -d '\r')"
        else
                fail "no ready line for $1 on set $2 in 300 s"
                console | grep -a -E "bulkhead|update|Failed" | tail -n 30
                finish
        fi
}

boot "$v1" a
vm_wait '^bulkhead: boot blessed set=a' 120 || true
api set motd="set on $v1" updates.metadata-base-url=http://10.0.2.100/metadata/ \
        updates.targets-base-url=http://10.0.2.100/targets/ updates.ignore-waves=true ||
        fail "could not point the node at the repository"
out=$(api update check) || true
[ "$out" = "available $v2" ] && pass "apiclient update check: $out" || fail "update check: $out"
rc=0
out=$(api update apply --reboot) || rc=$?
[ $rc -eq 0 ] && pass "apiclient update apply --reboot: $out" || fail "update apply ($rc): $out"
vm_wait_exit 300 || { fail "the node did not reboot after the update"; vm_kill; }

boot "$v2" b
got=$(api --json get motd) || true
[ "$got" = "{\"motd\":\"set on $v1\"}" ] && pass "settings made on $v1 are kept on $v2" || fail "after update: $got"
vm_wait '^bulkhead: boot blessed set=b' 120 && pass "the $v2 boot on set b is blessed" || fail "set b not blessed"

# A 0.3.0 whose API server exits at start: it must boot at most three times, then the node comes back to
# 0.2.0 on set b by itself, blessed, and says why.
v3=0.3.0
mkdir -p "$WORK/broken/usr/lib/systemd/system/apiserver.service.d"
printf '[Service]\nExecStart=\nExecStart=/usr/libexec/bulkhead/apiserver --no-such-option\n' \
        >"$WORK/broken/usr/lib/systemd/system/apiserver.service.d/99-broken.conf"
rm -rf "$WORK/images"
VERSION=$v3 IMAGES_DIR="$WORK/images" IMAGE_OVERLAY="$WORK/broken" "$TOP/tools/build-image.sh" "$VARIANT" \
        >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; fail "could not build $v3"; finish; }
VERSION=$v3 IMAGES_DIR="$WORK/images" REPO_DIR="$WORK/repo" "$TOP/tools/build-repo.sh" "$VARIANT" \
        >>"$WORK/repo.log" 2>&1 || { cat "$WORK/repo.log"; fail "could not publish $v3"; finish; }
rc=0
out=$(api update apply --reboot) || rc=$?
[ $rc -eq 0 ] && pass "update to the broken $v3 applied: $out" || fail "update apply $v3 ($rc): $out"
vm_wait_exit 300 || { fail "the node did not reboot into $v3"; vm_kill; }
tries=0
for attempt in 1 2 3 4 5; do
        rm -f "$WORK/api.sock"
        vm_start "$disk" secure -device virtio-serial-pci \
                -chardev socket,id=api,path="$WORK/api.sock",server=on,wait=off \
                -device virtserialport,chardev=api,name=org.bulkhead.api
        vm_wait "^bulkhead: (ready|unhealthy) version=" 300 || { fail "boot $attempt: neither ready nor unhealthy"; break; }
        if grep -aq "^bulkhead: unhealthy version=$v3 set=a" "$WORK/console.log"; then
                tries=$((tries + 1))
                vm_wait_exit 120 || { fail "boot $attempt: unhealthy $v3 did not reboot"; vm_kill; }
                continue
        fi
        break
done
[ "$tries" -ge 1 ] && [ "$tries" -le 3 ] && pass "$v3 booted $tries times, unhealthy each time (at most 3)" ||
        fail "$v3 booted $tries times"
if grep -aq "^bulkhead: ready version=$v2 set=b" "$WORK/console.log"; then
        pass "back on $v2 set b by itself: $(grep -a '^bulkhead: ready' "$WORK/console.log" | tr -d '\r')"
else
        fail "not back on $v2: $(grep -a '^bulkhead:' "$WORK/console.log" | tr -d '\r' | tail -3)"
fi
grep -aq "^bulkhead: earlier boot failed: version=$v3 set=a api=down" "$WORK/console.log" &&
        pass "the record says why: $(grep -a '^bulkhead: earlier boot failed' "$WORK/console.log" | head -1 | tr -d '\r')" ||
        fail "no record of the failed $v3 boots"
got=$(api --json get motd) || true
[ "$got" = "{\"motd\":\"set on $v1\"}" ] && pass "settings intact after the rollback" || fail "after rollback: $got"
vm_shutdown || true
finish
