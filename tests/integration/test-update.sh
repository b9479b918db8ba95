#!/bin/bash
# SPDX-License-Identifier: MIT
# A signed A/B update end to end. Builds version 0.2.0 of the variant beside the image under test (0.1.0),
# publishes both in a fresh TUF repository signed with the keys the image trusts, serves it on 127.0.0.1
# and hands it to the guest through a QEMU guestfwd (10.0.2.100:80). The node, booted from 0.1.0, sees
# 0.2.0 with `apiclient update check`, writes it to the other partition set with `update apply --reboot`,
# and comes back as 0.2.0 on set b with the settings made on 0.1.0, migrated (0.2.0's model adds a key and
# a migration sets it), and blesses that boot. A broken 0.3.0, applied from a bundle on a disk (air-gapped),
# then falls back to 0.2.0, whose first boot back runs 0.3.0's backward migration.
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

# The settings migrations both versions carry (decision 0014), and the models that go with them: 0.2.0
# adds settings.test-v2.greeting, 0.3.0 adds settings.test-v3.note; each takes its key away going back.
mig="$WORK/migrations"
mkdir -p "$mig"
printf '%s\n' "$v1 $v2 add-greeting" "$v2 $v1 remove-greeting" "$v2 0.3.0 add-note" "0.3.0 $v2 remove-note" \
        >"$mig/migrations.txt"
migration() { # NAME OP KEY [VALUE]
        printf '{"format": 1, "name": "%s", "steps": [{"op": "%s", "key": "%s"%s}]}\n' "$1" "$2" "$3" \
                "${4:+, \"value\": \"$4\"}" >"$mig/$1.json"
}
migration add-greeting add settings.test-v2.greeting "hello from $v2"
migration remove-greeting remove settings.test-v2
migration add-note add settings.test-v3.note "from 0.3.0"
migration remove-note remove settings.test-v3
model_with() { # OVERLAY KEY...: the variant's model plus a string key per argument, into OVERLAY
        mkdir -p "$1/usr/share/bulkhead/models/variants"
        python3 - "$TOP/models/variants/$VARIANT.json" "$@" <<'PY'
import json, sys
model = json.load(open(sys.argv[1]))
out, keys = sys.argv[2], sys.argv[3:]
settings = model.setdefault("settings", {})
for key in keys:
    top, field = key.split(".")
    settings.setdefault(top, {"type": "object", "fields": {}})["fields"][field] = {"type": "string", "default": "hello from model"}
json.dump(model, open(out + "/usr/share/bulkhead/models/variants/" + sys.argv[1].rsplit("/", 1)[1], "w"), indent=2)
PY
}
model_with "$WORK/v2" test-v2.greeting

echo "  building $v2 and the repository (a few minutes)"
publish_image "$v2" IMAGE_OVERLAY="$WORK/v2" MIGRATIONS_DIR="$mig" || { fail "could not publish $v2"; finish; }
pass "published $v1 and $v2 in a repository signed with the keys the image trusts"

# 0.3.0, whose API server exits at start, reaches the node air-gapped: `bulkhead-repo bundle` of a copy of
# the repository with 0.3.0 added, given to the VM as a read-only disk (decision 0013). The repository
# served over the network never offers it.
v3=0.3.0
model_with "$WORK/broken" test-v2.greeting test-v3.note
mkdir -p "$WORK/broken/usr/lib/systemd/system/apiserver.service.d"
printf '[Service]\nExecStart=\nExecStart=/usr/libexec/bulkhead/apiserver --no-such-option\n' \
        >"$WORK/broken/usr/lib/systemd/system/apiserver.service.d/99-broken.conf"
cp -a "$WORK/repo" "$WORK/repo-v3"
REPO_DIR="$WORK/repo-v3" publish_image "$v3" IMAGE_OVERLAY="$WORK/broken" MIGRATIONS_DIR="$mig" ||
        { fail "could not publish $v3"; finish; }
"$TOP/build/bin/bulkhead-repo" bundle --repo "$WORK/repo-v3" --out "$WORK/bundle.tar" --version "$v3" \
        --variant "$VARIANT" >>"$WORK/repo.log" 2>&1 || { cat "$WORK/repo.log"; fail "could not bundle $v3"; finish; }
truncate -s %512 "$WORK/bundle.tar" # a whole number of sectors, as a disk
rm -rf "$WORK/repo-v3"
bundle_dev=/dev/disk/by-id/virtio-bundle
pass "$v3 bundled for an air-gapped update: $(stat -c %s "$WORK/bundle.tar") bytes"

serve_repo "$WORK/repo"

boot() { # expected version and set
        vm_start_api "$disk" \
                -drive if=none,id=bundle,format=raw,readonly=on,file="$WORK/bundle.tar" \
                -device virtio-blk-pci,drive=bundle,serial=bundle
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
line="bulkhead: settings migrated from $v1 to $v2: add-greeting (1 changes)"
grep -aq "^$line" "$WORK/console.log" && pass "$line" ||
        fail "no forward migration: $(grep -a 'bulkhead: .*migrat' "$WORK/console.log" | tr -d '\r')"
got=$(api --json get test-v2) || true
[ "$got" = "{\"test-v2\":{\"greeting\":\"hello from $v2\"}}" ] && pass "$v2 adds a key, set by its migration: $got" ||
        fail "the migrated key: $got"

# A 0.3.0 whose API server exits at start: it must boot at most three times, then the node comes back to
# 0.2.0 on set b by itself, blessed, and says why.
rc=0
out=$(api update check --bundle "$bundle_dev") || rc=$?
[ "$out" = "available $v3" ] && pass "apiclient update check --bundle (a disk holding the bundle): $out" ||
        fail "update check --bundle ($rc): $out"
rc=0
out=$(api update apply --bundle "$bundle_dev" --reboot) || rc=$?
[ $rc -eq 0 ] && pass "update to the broken $v3 applied from the bundle: $out" || fail "update apply $v3 ($rc): $out"
vm_wait_exit 300 || { fail "the node did not reboot into $v3"; vm_kill; }
tries=0
for attempt in 1 2 3 4 5; do
        vm_start_api "$disk"
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
# The set booted back runs the newer version's backward migration, and its API works.
line="bulkhead: settings migrated from $v3 to $v2: remove-note (1 changes)"
grep -aq "^$line" "$WORK/console.log" && pass "$line" ||
        fail "no backward migration: $(grep -a 'bulkhead: .*migrat' "$WORK/console.log" | tr -d '\r')"
got=$(api --json get settings) || true
case $got in *test-v3*) fail "$v3's key is still there after the backward migration: $got" ;; esac
got="$(api --json get motd) $(api --json get test-v2)" || true
[ "$got" = "{\"motd\":\"set on $v1\"} {\"test-v2\":{\"greeting\":\"hello from $v2\"}}" ] &&
        pass "settings intact after the rollback: $got" || fail "after rollback: $got"
api set motd="set on $v2 after the rollback" && got=$(api --json get motd) &&
        [ "$got" = "{\"motd\":\"set on $v2 after the rollback\"}" ] && pass "the settings API works on $v2 again" ||
        fail "set after the rollback: $got"
vm_shutdown || true
finish
