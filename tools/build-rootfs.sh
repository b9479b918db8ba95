#!/bin/bash
# SPDX-License-Identifier: MIT
# Assembles a variant's root file system tree from the locked Debian packages and our own programs:
# extract without maintainer scripts, fold into /usr, prune, remove scripts and forbidden tools, add our
# files, precompute what Debian's maintainer scripts would have done (users, enabled units, CA bundle,
# module index), and write the SBOM. Usage: tools/build-rootfs.sh VARIANT OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/variant.sh"

variant=${1:?usage: build-rootfs.sh VARIANT OUTDIR}
outdir=${2:?usage: build-rootfs.sh VARIANT OUTDIR}
top=$(cd "$here/.." && pwd)
variant_load "$top/variants/$variant/variant.conf"
require_tools dpkg-deb depmod systemd-sysusers sha256sum find
lock=${LOCK:-$top/packages/$variant.lock} # LOCK: build-image.sh's fallback for a lock the archive outgrew
bindir="$top/build/bin"
[ -x "$bindir/bulkhead-ready" ] || die "programs not built: '$bindir/bulkhead-ready' is missing (run 'make')"

root="$outdir/rootfs"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
kernel="$outdir/kernel"
rm -rf "$root" "$kernel"
mkdir -p "$root" "$kernel"

note "extracting $(grep -vc '^#' "$lock") packages"
while read -r name version sha file; do
        dpkg-deb -x "$BULKHEAD_CACHE/debs/$(basename "$file")" "$root"
done < <(grep -v '^#' "$lock")

# bookworm's packages are not usr-merged: fold the top-level directories into /usr and link them back.
for d in bin sbin lib lib64; do
        if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
                mkdir -p "$root/usr/$d"
                cp -a "$root/$d/." "$root/usr/$d/"
                rm -rf "${root:?}/$d"
        fi
        [ -e "$root/usr/$d" ] && ln -sfn "usr/$d" "$root/$d"
done

kver=$(basename "$(ls -d "$root"/usr/lib/modules/*)")
cp "$root/boot/vmlinuz-$kver" "$kernel/vmlinuz"
echo "$kver" >"$kernel/version"
# The boot loader and UKI stub go to the ESP, from the locked systemd-boot-efi package, not from the build host.
efi="$root/usr/lib/systemd/boot/efi"
[ -f "$efi/linuxx64.efi.stub" ] && [ -f "$efi/systemd-bootx64.efi" ] ||
        die "systemd-boot-efi is not in the package lock of variant '$variant' (no $efi/linuxx64.efi.stub)"
cp "$efi/linuxx64.efi.stub" "$efi/systemd-bootx64.efi" "$kernel/"
rm -rf "$efi"

note "pruning"
while read -r pattern; do
        # shellcheck disable=SC2086 # the pattern is a glob on purpose
        rm -rf "$root"/$pattern
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/lib/prune.list")

# No interpreter ships, so any script left is dead weight and an attack surface: drop every file that starts
# with '#!'. Then remove the forbidden names wherever they are (they may be symlinks).
find "$root" -type f -print0 | while IFS= read -r -d '' f; do
        [ "$(head -c2 "$f" 2>/dev/null)" = '#!' ] && rm -f "$f"
done || true
while read -r n; do
        find "$root" \( -type f -o -type l \) -name "$n" -delete
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/lib/forbidden.list" | tr ' ' '\n' | sed '/^$/d')
# Links left dangling by the removals go too. Targets are resolved inside the root: an absolute link such as
# /lib/systemd/systemd-udevd -> /bin/udevadm means the image's /bin, not the build host's.
find "$root" -type l -print0 | while IFS= read -r -d '' l; do
        t=$(readlink "$l")
        case $t in
        /*) p="$root$t" ;;
        *) p="$(dirname "$l")/$t" ;;
        esac
        [ -e "$p" ] || [ -L "$p" ] || rm -f "$l"
done

note "adding Bulkhead's files"
# Mount points that base-files would have made (it is not in the image).
install -d -m 0755 "$root/usr/libexec/bulkhead" "$root/usr/share/bulkhead" "$root/local" "$root/efi" \
        "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root/var" "$root/opt" "$root/root" "$root/mnt"
install -d -m 1777 "$root/tmp"
while read -r prog dest; do
        [ -n "$prog" ] || continue
        [ -x "$bindir/$prog" ] || die "program '$prog' listed in tools/lib/image-programs.list was not built"
        install -m 0755 "$bindir/$prog" "$root/$dest/$prog"
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/lib/image-programs.list")
cp -a "$top/rootfs-overlay/." "$root/"
# IMAGE_OVERLAY=DIR adds files on top, for images made to fail on purpose (the update rollback test).
[ -z "${IMAGE_OVERLAY:-}" ] || cp -a "$IMAGE_OVERLAY/." "$root/"
[ -d "$top/variants/$variant/rootfs" ] && cp -a "$top/variants/$variant/rootfs/." "$root/"

cat >"$root/usr/lib/os-release" <<OSREL
NAME=Bulkhead
ID=bulkhead
PRETTY_NAME="Bulkhead $VARIANT_version ($variant)"
VERSION_ID=$VARIANT_version
VARIANT_ID=$variant
BUILD_ID=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
HOME_URL="https://bulkhead.invalid/"
OSREL

# /etc is a tmpfs at run time; the image's /etc becomes the factory copy it is seeded from.
systemd-sysusers --root="$root" >/dev/null 2>&1
ln -sfn ../usr/lib/os-release "$root/etc/os-release"
: >"$root/etc/machine-id"
mkdir -p "$root/etc/ssl/certs"
cat "$root"/usr/share/ca-certificates/*/*.crt >"$root/etc/ssl/certs/ca-certificates.crt"
# The settings model and the configuration file templates; the image's CA bundle is the partial the
# rendered bundle starts with (settings.pki adds to it).
rm -rf "$root/usr/share/bulkhead/models" "$root/usr/share/bulkhead/templates"
cp -r "$top/models" "$root/usr/share/bulkhead/models"
cp -r "$top/templates" "$root/usr/share/bulkhead/templates"
cp "$root/etc/ssl/certs/ca-certificates.crt" "$root/usr/share/bulkhead/templates/ca-certificates.mustache"
# The update agent's root of trust: the update repository's first root.json (tools/build-repo.sh --init).
if [ -n "${UPDATE_ROOT:-}" ]; then
        install -D -m 0644 "$UPDATE_ROOT" "$root/usr/share/bulkhead/update/root.json"
fi
ln -sfn /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"

# Enable units the way 'systemctl enable' would, but into /usr/lib (immutable) rather than /etc.
enable_unit() {
        local unit=$1 dir="$root/usr/lib/systemd/system" file target also
        file="$dir/$unit"
        [ -f "$file" ] || die "variant '$variant' enables unit '$unit' which no package or overlay provides"
        for target in $(sed -n 's/^\(WantedBy\|RequiredBy\)=//p' "$file"); do
                local kind=wants
                grep -q "^RequiredBy=.*$target" "$file" && kind=requires
                mkdir -p "$dir/$target.$kind"
                ln -sfn "../$unit" "$dir/$target.$kind/$unit"
        done
        for alias in $(sed -n 's/^Alias=//p' "$file"); do
                ln -sfn "$unit" "$dir/$alias"
        done
        for also in $(sed -n 's/^Also=//p' "$file"); do
                [ -e "$dir/$also" ] && [ -z "$(find "$dir" -path "*.wants/$also" -o -path "*.requires/$also")" ] &&
                        enable_unit "$also"
        done
        return 0
}
for u in $VARIANT_units_enable; do enable_unit "$u"; done

# What systemd-update-done would write: the image's /usr is no newer than its /etc, so the units that run
# "when /usr was updated" (sysusers, ldconfig, catalog) do not run on every boot of a fresh tmpfs /etc.
printf 'TIMESTAMP_NSEC=%s000000000\n' "$SOURCE_DATE_EPOCH" >"$root/etc/.updated"
ldconfig -r "$root" # the loader cache, as libc's trigger would have made it
rm -rf "$root/usr/share/factory/etc"
mkdir -p "$root/usr/share/factory"
mv "$root/etc" "$root/usr/share/factory/etc"
mkdir -m 0755 "$root/etc"

depmod -b "$root" "$kver"
"$here/write-sbom.sh" "$variant" "$lock" >"$outdir/sbom.spdx.json"
cp "$outdir/sbom.spdx.json" "$root/usr/share/bulkhead/sbom.spdx.json"
note "root tree ready: $(du -sh "$root" | cut -f1) in $root"
