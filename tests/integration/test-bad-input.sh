#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad build input gets a clear error naming what and where: a .deb whose hash differs from the lock, a
# variant with an unknown key, a missing build tool, a disk too small for the layout.
. "$(dirname "$0")/lib.sh"

expect_error() { # description expected-regex command...
        local what=$1 want=$2 out
        shift 2
        if out=$("$@" 2>&1); then
                fail "$what: command succeeded"
        elif grep -qE "$want" <<<"$out"; then
                pass "$what: $(grep -E "$want" <<<"$out" | head -n1)"
        else
                fail "$what: error did not match /$want/: $out"
        fi
}

# A lock whose recorded hash for one package is wrong, against a private cache holding the real file.
lock="$TOP/packages/$VARIANT.lock"
read -r name version sha file < <(grep -v '^#' "$lock" | grep ' pool/' | sort -k1,1 | head -n1)
mkdir -p "$WORK/cache/debs"
cp "/var/cache/bulkhead/debs/$(basename "$file")" "$WORK/cache/debs/" 2>/dev/null ||
        BULKHEAD_CACHE="$WORK/cache" LOCK=<(grep " $file\$" "$lock") "$TOP/tools/fetch-packages.sh" "$VARIANT" >/dev/null 2>&1
bad=$(printf '%s %s %s %s\n' "$name" "$version" "$(tr 0-9a-f 1-9a-f0 <<<"$sha")" "$file")
echo "$bad" >"$WORK/bad.lock"
expect_error "package hash differs from the lock" "package $name .*sha256 mismatch.*lock has" \
        env BULKHEAD_CACHE="$WORK/cache" LOCK="$WORK/bad.lock" "$TOP/tools/fetch-packages.sh" "$VARIANT"

mkdir -p "$WORK/variants/bad"
sed 's/^esp-mib = .*/esp-mib = 64\nroot-size = 1/' "$TOP/variants/$VARIANT/variant.conf" >"$WORK/variants/bad/variant.conf"
expect_error "variant with an unknown key" "variant.conf:[0-9]+: unknown key 'root-size'" \
        bash -c ". '$TOP/tools/lib/common.sh'; . '$TOP/tools/lib/variant.sh'; variant_load '$WORK/variants/bad/variant.conf'"

expect_error "missing build tool" "missing build tool\(s\): mkfs.erofs" \
        env PATH="$WORK/nopath:/usr/bin/nonexistent" /bin/bash -c \
        ". '$TOP/tools/lib/common.sh'; require_tools mkfs.erofs"

if [ -x "$TOP/build/bin/mkdisk" ]; then
        expect_error "disk too small for the layout" "too small" \
                "$TOP/build/bin/mkdisk" --output "$WORK/small.img" --size 10485760 \
                --part "ESP,esp,64,7db251dd-b9ab-4aba-a007-fe31e0bb967a"
else
        fail "build/bin/mkdisk not built"
fi
finish
