#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds a variant's bootable disk image: root tree → erofs → dm-verity tree → initramfs → UKI (signed) →
# ESP with systemd-boot → GPT disk (raw and qcow2). Usage: tools/build-image.sh VARIANT
# Environment: SB_KEY, SB_CERT (PEM) sign the boot chain; default: a development key made once in build/keys.
# VERSION, IMAGES_DIR, IMAGE_OVERLAY and MIGRATIONS_DIR build other versions (the update tests do).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/variant.sh"
. "$here/lib/layout.sh"

variant=${1:?usage: build-image.sh VARIANT}
top=$(cd "$here/.." && pwd)
variant_load "$top/variants/$variant/variant.conf"
bin="$top/build/bin"
require_tools mkfs.erofs mkfs.vfat mmd mcopy sbsign openssl qemu-img
for t in mkverity mkinitrd mkuki mkdisk bulkhead-init; do
        [ -x "$bin/$t" ] || die "build tool '$bin/$t' is missing (run 'make')"
done

images=${IMAGES_DIR:-$top/build/images} # IMAGES_DIR: build elsewhere (update tests build two versions)
work="$images/$variant"
mkdir -p "$work"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}

if [ -z "${SB_KEY:-}" ]; then
        SB_KEY="$top/build/keys/db.key"
        SB_CERT="$top/build/keys/db.crt"
        if [ ! -f "$SB_KEY" ]; then
                note "creating a development Secure Boot key in build/keys (use SB_KEY/SB_CERT for your own)"
                mkdir -p "$top/build/keys"
                openssl req -new -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Bulkhead development key/" \
                        -keyout "$SB_KEY" -out "$SB_CERT" 2>"$top/build/keys/openssl.log" ||
                        die "could not create the development key (see build/keys/openssl.log)"
        fi
fi
[ -f "$SB_KEY" ] && [ -f "${SB_CERT:-}" ] || die "Secure Boot key '$SB_KEY' or certificate '${SB_CERT:-}' not found"

export LOCK=${LOCK:-$top/packages/$variant.lock}
if ! "$here/fetch-packages.sh" "$variant"; then
        # Debian's archive keeps only the current version of each package, so a point release makes an older
        # lock undownloadable. Test runs (LOCK_FALLBACK=1, set by `make test`) then build from a fresh
        # resolution, so that they test our code; `make image` stops here.
        [ "${LOCK_FALLBACK:-0}" = 1 ] || die "cannot fetch the packages of $LOCK"
        LOCK="$BULKHEAD_CACHE/$variant.lock.current"
        warn "$variant.lock is older than the archive: testing with a fresh resolution ($LOCK);" \
                "run 'make lock' and commit packages/$variant.lock"
        LOCK_OUT=$LOCK "$here/lock-packages.sh" "$variant"
        "$here/fetch-packages.sh" "$variant"
fi
# The update repository's first root.json is the agent's root of trust, shipped in the image.
[ -x "$bin/bulkhead-repo" ] || die "build tool '$bin/bulkhead-repo' is missing (run 'make')"
REPO_DIR= "$here/build-repo.sh" "$variant" --init
export UPDATE_ROOT="$top/build/repo/metadata/1.root.json"
"$here/build-rootfs.sh" "$variant" "$work"
kver=$(cat "$work/kernel/version")
stub="$work/kernel/linuxx64.efi.stub"
sdboot="$work/kernel/systemd-bootx64.efi"

# Settings migrations into this version and back out of it (decision 0014), for the update repository:
# the lines of MIGRATIONS_DIR/migrations.txt (default variants/<variant>/migrations) whose newer version is
# this one, and the definitions those lines name.
migrations=${MIGRATIONS_DIR:-$top/variants/$variant/migrations}
rm -rf "$work/migrations" "$work/migrations.txt"
if [ -f "$migrations/migrations.txt" ]; then
        # A pair is carried by its newer version: into it going up, out of it going back.
        sed -e 's/#.*//' "$migrations/migrations.txt" | while read -r from to names; do
                [ -n "$names" ] || continue
                newer=$(printf '%s\n%s\n' "$from" "$to" | sort -V | tail -n1)
                [ "$newer" != "$VARIANT_version" ] || echo "$from $to $names"
        done >"$work/migrations.txt"
        if [ -s "$work/migrations.txt" ]; then
                mkdir "$work/migrations"
                for name in $(awk '{ for (i = 3; i <= NF; i++) print $i }' "$work/migrations.txt" | sort -u); do
                        cp "$migrations/$name.json" "$work/migrations/" ||
                                die "migration '$name' in $migrations/migrations.txt has no $name.json"
                done
        else
                rm -f "$work/migrations.txt"
        fi
fi

note "root file system: erofs (lz4hc)"
rm -f "$work/root.erofs"
mkfs.erofs --quiet -zlz4hc,12 -T "$SOURCE_DATE_EPOCH" \
        "$work/root.erofs" "$work/rootfs"
root_bytes=$(stat -c %s "$work/root.erofs")
[ "$root_bytes" -le $((VARIANT_root_mib * 1048576)) ] ||
        die "root file system ($root_bytes bytes) does not fit root-mib = $VARIANT_root_mib of variant '$variant'"

note "dm-verity hash tree"
"$bin/mkverity" --random-salt "$work/root.erofs" "$work/verity.img" >"$work/verity.env"
# shellcheck disable=SC1091
. "$work/verity.env"

note "initramfs and UKI"
# shellcheck disable=SC2046
"$bin/mkinitrd" --output "$work/initrd.cpio" --init "$bin/bulkhead-init" --kernel-root "$work/rootfs" \
        --kver "$kver" $(printf -- '--module %s ' $VARIANT_initrd_modules)
build_uki() { # set root-uuid verity-uuid output
        local cmdline="$VARIANT_kernel_cmdline bulkhead.set=$1 bulkhead.root=$2 bulkhead.verity=$3"
        cmdline+=" bulkhead.verity_blocks=$data_blocks bulkhead.verity_salt=${salt:--} roothash=$root_hash"
        "$bin/mkuki" --stub "$stub" --linux "$work/kernel/vmlinuz" --initrd "$work/initrd.cpio" \
                --cmdline "$cmdline" --os-release "$work/rootfs/usr/lib/os-release" --uname "$kver" \
                --output "$4.unsigned"
        sbsign --key "$SB_KEY" --cert "$SB_CERT" --output "$4" "$4.unsigned" 2>/dev/null
        rm -f "$4.unsigned"
}
build_uki a "$PARTUUID_ROOT_A" "$PARTUUID_VERITY_A" "$work/uki-a.efi"
build_uki b "$PARTUUID_ROOT_B" "$PARTUUID_VERITY_B" "$work/uki-b.efi"

note "ESP with systemd-boot"
sbsign --key "$SB_KEY" --cert "$SB_CERT" --output "$work/systemd-boot.efi" "$sdboot" 2>/dev/null
rm -f "$work/esp.img"
mkfs.vfat -C -F 32 -n ESP "$work/esp.img" $((VARIANT_esp_mib * 1024 - 1024)) >/dev/null
printf 'timeout 0\neditor no\nauto-entries no\nauto-firmware no\nconsole-mode keep\n' >"$work/loader.conf"
export MTOOLS_SKIP_CHECK=1
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/Linux ::/loader
mcopy -i "$work/esp.img" "$work/systemd-boot.efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$work/esp.img" "$work/loader.conf" ::/loader/loader.conf
mcopy -i "$work/esp.img" "$work/uki-a.efi" "::/EFI/Linux/bulkhead-$VARIANT_version-a+3.efi"

note "disk image"
out="$images/bulkhead-$variant-$VARIANT_arch"
"$bin/mkdisk" --output "$out.img" \
        --part "ESP,esp,$VARIANT_esp_mib,$PARTUUID_ESP,$work/esp.img" \
        --part "root-a,root-x86-64,$VARIANT_root_mib,$PARTUUID_ROOT_A,$work/root.erofs" \
        --part "verity-a,root-x86-64-verity,$VARIANT_verity_mib,$PARTUUID_VERITY_A,$work/verity.img" \
        --part "root-b,root-x86-64,$VARIANT_root_mib,$PARTUUID_ROOT_B" \
        --part "verity-b,root-x86-64-verity,$VARIANT_verity_mib,$PARTUUID_VERITY_B" \
        --part "$DATA_LABEL,linux-data,$VARIANT_data_mib,$PARTUUID_DATA"
qemu-img convert -O qcow2 "$out.img" "$out.qcow2"
cp "$work/sbom.spdx.json" "$out.sbom.spdx.json"
printf 'version=%s\nroot_hash=%s\nroot_bytes=%s\n' "$VARIANT_version" "$root_hash" "$root_bytes" >"$out.env"
note "wrote $out.img, $out.qcow2 and $out.sbom.spdx.json (root $root_bytes bytes, root hash $root_hash)"
