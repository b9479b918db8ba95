# SPDX-License-Identifier: MIT
# Helpers for end-to-end tests: boot an image in QEMU (TCG, q35 with SMM, OVMF, serial console to a file,
# QMP socket) and look only at what a user sees. Sourced by tests/integration/test-*.sh.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VARIANT=${VARIANT:-qemu}
IMAGES="$TOP/build/images"
IMAGE="$IMAGES/bulkhead-$VARIANT-x86_64.img"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-test.XXXXXX")
QEMU_PID=""
failures=0

HTTP_PID=""

cleanup() {
        vm_kill
        [ -z "$HTTP_PID" ] || kill "$HTTP_PID" 2>/dev/null || true
        rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "  ok: $*"; }
fail() {
        echo "  FAIL: $*"
        failures=$((failures + 1))
}
finish() {
        [ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
        exit 0
}
require_image() {
        [ -f "$IMAGE" ] || { echo "image $IMAGE not built (make image)"; exit 1; }
}

# vm_start DISK [secure|insecure] [extra qemu args...]: boots DISK in the background. Console goes to
# $WORK/console.log, QMP listens on $WORK/qmp.sock. Each start uses fresh copy of the firmware variables.
vm_start() {
        local disk=$1 mode=${2:-secure} vars
        shift 2 || shift $#
        if [ "$mode" = secure ]; then
                vars=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
        else
                vars=/usr/share/OVMF/OVMF_VARS_4M.fd
        fi
        cp "$vars" "$WORK/vars.fd"
        : >"$WORK/console.log"
        rm -f "$WORK/qmp.sock"
        qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 -machine q35,smm=on \
                -global driver=cfi.pflash01,property=secure,value=on \
                -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd \
                -drive if=pflash,format=raw,unit=1,file="$WORK/vars.fd" \
                -drive if=virtio,format="${DISK_FORMAT:-raw}",file="$disk" \
                -netdev "user,id=n0,restrict=on${NETDEV_EXTRA:-}" -device virtio-net-pci,netdev=n0 \
                -display none -serial file:"$WORK/console.log" -monitor none \
                -qmp unix:"$WORK/qmp.sock",server=on,wait=off -no-reboot "$@" &
        QEMU_PID=$!
}

# vm_start_api DISK [extra qemu args...]: vm_start with Secure Boot and the API channel: the host end of the
# virtio-serial port org.bulkhead.api is $WORK/api.sock, for `apiclient --socket`.
vm_start_api() {
        local disk=$1
        shift
        rm -f "$WORK/api.sock"
        vm_start "$disk" secure -device virtio-serial-pci \
                -chardev socket,id=api,path="$WORK/api.sock",server=on,wait=off \
                -device virtserialport,chardev=api,name=org.bulkhead.api "$@"
}

# vm_wait PATTERN SECONDS: waits until the console shows PATTERN (extended regex). 0 if seen, 1 if not
# (timeout, or QEMU exited first).
vm_wait() {
        local pattern=$1 limit=$2 i
        for ((i = 0; i < limit * 2; i++)); do
                grep -aqE "$pattern" "$WORK/console.log" 2>/dev/null && return 0
                kill -0 "$QEMU_PID" 2>/dev/null || { grep -aqE "$pattern" "$WORK/console.log"; return; }
                sleep 0.5
        done
        return 1
}

qmp() {
        printf '{"execute":"qmp_capabilities"}\n{"execute":"%s"}\n' "$1" |
                socat -t 2 - UNIX-CONNECT:"$WORK/qmp.sock" >/dev/null 2>&1 || true
}

# vm_shutdown: ACPI power button (systemd-logind powers off cleanly), then waits for QEMU to exit.
vm_shutdown() {
        local i
        [ -n "$QEMU_PID" ] || return 0
        qmp system_powerdown
        for ((i = 0; i < 240; i++)); do
                kill -0 "$QEMU_PID" 2>/dev/null || { wait "$QEMU_PID" 2>/dev/null || true; QEMU_PID=""; return 0; }
                sleep 0.5
        done
        echo "  (QEMU did not power off in 120 s; killing it)"
        vm_kill
        return 1
}

# vm_wait_exit SECONDS: waits for QEMU to exit by itself (reboot with -no-reboot, or power off).
vm_wait_exit() {
        local i
        for ((i = 0; i < $1 * 2; i++)); do
                kill -0 "$QEMU_PID" 2>/dev/null || { wait "$QEMU_PID" 2>/dev/null || true; QEMU_PID=""; return 0; }
                sleep 0.5
        done
        return 1
}

vm_kill() {
        if [ -n "$QEMU_PID" ]; then
                kill -9 "$QEMU_PID" 2>/dev/null || true
                wait "$QEMU_PID" 2>/dev/null || true
                QEMU_PID=""
        fi
}

console() { cat "$WORK/console.log"; }

# part_offset DISK NAME: byte offset and size of a partition, read with sgdisk (an independent reader).
part_range() {
        local disk=$1 name=$2 num
        num=$(sgdisk -p "$disk" | awk -v n="$name" '$7 == n { print $1 }')
        [ -n "$num" ] || { echo "no partition '$name' on $disk" >&2; return 1; }
        sgdisk -i "$num" "$disk" | awk '/^First sector/ { f = $3 } /^Last sector/ { l = $3 } END { print f * 512, (l - f + 1) * 512 }'
}

# esp_extract DISK FILE / esp_store FILE DISK: the ESP as a file, for mtools.
esp_extract() {
        local off size
        read -r off size < <(part_range "$1" ESP)
        dd if="$1" of="$2" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
}
esp_store() {
        local off size
        read -r off size < <(part_range "$2" ESP)
        dd if="$1" of="$2" bs=1M oflag=seek_bytes seek="$off" conv=notrunc status=none
}
export MTOOLS_SKIP_CHECK=1

# serve_repo DIR: serves an update repository on 127.0.0.1 and lets the guests started after it reach it as
# http://10.0.2.100/ through a QEMU guestfwd ("cmd:" starts a relay for each connection the guest opens; a
# tcp: target would connect once, at start).
serve_repo() {
        local port
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" >"$WORK/http.log" 2>&1 &
        HTTP_PID=$!
        export NETDEV_EXTRA=",guestfwd=tcp:10.0.2.100:80-cmd:socat - TCP:127.0.0.1:$port"
}

# publish_image VERSION [VAR=VALUE...]: builds VERSION of the variant (tools/build-image.sh with the
# VAR=VALUE pairs in its environment: IMAGE_OVERLAY, MIGRATIONS_DIR) and adds it to the update repository
# $REPO_DIR (default $WORK/repo), signed with the keys the image under test trusts. A new repository gets
# the image under test's version first. Logs: $WORK/build.log, $WORK/repo.log.
publish_image() {
        local version=$1 repo=${REPO_DIR:-$WORK/repo}
        shift
        export SB_KEY=${SB_KEY:-$TOP/build/keys/snakeoil.key} SB_CERT=${SB_CERT:-/usr/share/ovmf/PkKek-1-snakeoil.pem}
        if [ ! -f "$repo/metadata/1.root.json" ]; then
                REPO_DIR="$repo" "$TOP/tools/build-repo.sh" "$VARIANT" >>"$WORK/repo.log" 2>&1 ||
                        { cat "$WORK/repo.log"; return 1; }
        fi
        rm -rf "$WORK/images"
        env "$@" VERSION="$version" IMAGES_DIR="$WORK/images" "$TOP/tools/build-image.sh" "$VARIANT" \
                >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; return 1; }
        VERSION=$version IMAGES_DIR="$WORK/images" REPO_DIR="$repo" "$TOP/tools/build-repo.sh" "$VARIANT" \
                >>"$WORK/repo.log" 2>&1 || { cat "$WORK/repo.log"; return 1; }
        rm -rf "$WORK/images"
}
