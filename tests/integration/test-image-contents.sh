#!/bin/bash
# SPDX-License-Identifier: MIT
# The root file system of the built image, as written into root-a, holds no shell, interpreter, package
# manager or login tool, and no script that would need one; it is usr-merged and carries the SBOM.
. "$(dirname "$0")/lib.sh"
require_image

read -r off size < <(part_range "$IMAGE" root-a)
erofs="$IMAGES/$VARIANT/root.erofs"
bytes=$(stat -c %s "$erofs")
if cmp -s -n "$bytes" "$erofs" <(dd if="$IMAGE" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$bytes" status=none); then
        pass "root-a holds the built erofs image ($bytes bytes)"
else
        fail "root-a does not hold $erofs"
fi
mkdir "$WORK/root"
fsck.erofs --extract="$WORK/root" "$erofs" >/dev/null 2>&1 || fail "fsck.erofs could not extract the root image"
root="$WORK/root"
find "$root" -printf '%P\n' | sort >"$WORK/listing"
pass "root image lists $(wc -l <"$WORK/listing") entries"

forbidden=$(sed -e 's/#.*//' "$TOP/tools/lib/forbidden.list" | tr ' ' '\n' | sed '/^$/d')
# Also anything named like a versioned interpreter (python3.11, perl5.36, lua5.4, tclsh8.6 ...).
found=$(find "$root" \( -type f -o -type l \) | while read -r f; do
        b=$(basename "$f")
        for n in $forbidden; do
                [ "$b" = "$n" ] && echo "$f"
        done
        if [[ "$b" =~ ^(python|perl|lua|tclsh|ruby|php)[0-9.]+$ ]]; then echo "$f"; fi
done)
if [ -z "$found" ]; then pass "no shell, interpreter, package manager or login tool"; else fail "forbidden: $found"; fi

scripts=$(find "$root" -type f -perm /111 -exec sh -c 'for f; do if [ "$(head -c2 "$f" | tr -d "\0")" = "#!" ]; then echo "$f"; fi; done' _ {} +)
if [ -z "$scripts" ]; then pass "no executable scripts"; else fail "scripts present: $scripts"; fi

for d in bin sbin lib lib64; do
        [ -L "$root/$d" ] && [ "$(readlink "$root/$d")" = "usr/$d" ] || fail "/$d is not a link to usr/$d"
done
pass "usr-merged: /bin /sbin /lib /lib64 link into /usr"

[ -d "$root/var/lib/dpkg" ] && fail "dpkg database present" || pass "no dpkg database"
for f in usr/lib/systemd/systemd usr/bin/containerd usr/bin/crun usr/lib/os-release \
        usr/libexec/bulkhead/bulkhead-ready usr/share/factory/etc/ssl/certs/ca-certificates.crt; do
        [ -e "$root/$f" ] || fail "missing /$f"
done
pass "systemd, containerd, crun, CA bundle and our programs are present"

# Every shared library our programs need is in the image (a program that cannot start is a boot that fails).
missing_libs=""
while read -r prog dest; do
        for lib in $(readelf -dW "$root/$dest/$prog" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
                [ -e "$root/usr/lib/x86_64-linux-gnu/$lib" ] || [ -e "$root/usr/lib/$lib" ] ||
                        [ -e "$root/usr/lib64/$lib" ] || missing_libs+=" $prog:$lib"
        done
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/tools/lib/image-programs.list")
# And those loaded with dlopen(), which no NEEDED entry names: libtuf's libcurl for URL repositories.
for lib in libcurl.so.4; do
        [ -e "$root/usr/lib/x86_64-linux-gnu/$lib" ] || missing_libs+=" update:$lib (dlopen)"
done
[ -z "$missing_libs" ] && pass "every library our programs need is in the image" ||
        fail "libraries missing from the image:$missing_libs"

sbom="$root/usr/share/bulkhead/sbom.spdx.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["spdxVersion"]=="SPDX-2.3"; print(len(d["packages"]))' "$sbom" >"$WORK/n" 2>/dev/null; then
        want=$(($(grep -vc '^#' "$TOP/packages/$VARIANT.lock") + 1))
        [ "$(cat "$WORK/n")" = "$want" ] && pass "SBOM inside the image lists $want packages" ||
                fail "SBOM lists $(cat "$WORK/n") packages, expected $want"
else
        fail "SBOM missing or not SPDX 2.3 JSON"
fi
cmp -s "$sbom" "$IMAGES/bulkhead-$VARIANT-x86_64.sbom.spdx.json" && pass "SBOM beside the image is the same" ||
        fail "SBOM beside the image differs from the one inside"
finish
