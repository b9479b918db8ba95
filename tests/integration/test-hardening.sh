#!/bin/bash
# SPDX-License-Identifier: MIT
# Every ELF we compile (build/bin, the unit-test and fuzz binaries) is PIE, has full RELRO (GNU_RELRO +
# BIND_NOW), a non-executable stack, a stack protector and FORTIFY_SOURCE, read from the ELF with readelf.
. "$(dirname "$0")/lib.sh"

check_elf() {
        local f=$1 problems=() h d s
        h=$(readelf -h "$f" 2>/dev/null) || return 0
        d=$(readelf -d "$f" 2>/dev/null)
        s=$(readelf -sW "$f" 2>/dev/null)
        grep -q 'Type:.*DYN' <<<"$h" || problems+=("not PIE (ELF type is not DYN)")
        # A shared library is DYN too; an executable PIE says so in FLAGS_1 (static-pie has no dynamic loader
        # but is still DYN with a relocation-only dynamic section).
        if grep -q '(FLAGS_1)' <<<"$d" && ! grep -q 'FLAGS_1.*PIE' <<<"$d"; then problems+=("FLAGS_1 lacks PIE"); fi
        readelf -lW "$f" | grep -q GNU_RELRO || problems+=("no RELRO segment")
        grep -Eq '\(BIND_NOW\)|FLAGS.*NOW' <<<"$d" || problems+=("no BIND_NOW (partial RELRO only)")
        readelf -lW "$f" | grep GNU_STACK | grep -q 'RWE' && problems+=("executable stack")
        readelf -lW "$f" | grep -q GNU_STACK || problems+=("no GNU_STACK header")
        grep -q '__stack_chk_fail' <<<"$s" || problems+=("no stack protector (__stack_chk_fail)")
        grep -Eq '__[a-z_]+_chk(@|$| )' <<<"$(grep -v __stack_chk <<<"$s")" || problems+=("no FORTIFY (_chk) calls")
        if [ ${#problems[@]} -eq 0 ]; then
                checked=$((checked + 1))
        else
                fail "$f: ${problems[*]}"
        fi
}

checked=0
[ -d "$TOP/build/bin" ] || { echo "build/bin missing (make)"; exit 1; }
while IFS= read -r -d '' f; do
        head -c4 "$f" | grep -q 'ELF' && check_elf "$f"
done < <(find "$TOP/build/bin" "$TOP/build/meson" -type f -perm /111 -not -path '*/meson-private/*' \
        -not -name '*.so' -print0)
[ "$checked" -gt 0 ] && pass "$checked ELF files: PIE, full RELRO, NX stack, stack protector, FORTIFY"
finish
