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
        # FORTIFY turns every printf-family call into its _chk form whatever the buffer, so a plain import of
        # one means a source built without it. A program that calls none has nothing for FORTIFY to change;
        # the compile commands are checked for the flag below.
        if ! grep -Eq '__[a-z_]+_chk(@|$| )' <<<"$(grep -v __stack_chk <<<"$s")" &&
                grep -Eq ' (v?s?n?printf|v?fprintf|v?dprintf|strcpy|strcat|fgets)(@|$)' <<<"$s"; then
                problems+=("no FORTIFY (plain printf-family or string calls, no _chk)")
        fi
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

# Every C file we compile gets the hardening flags (the compile database meson writes).
db="$TOP/build/meson/compile_commands.json"
total=$(grep -c '"command"' "$db")
missing=$(grep '"command"' "$db" | grep -vc -- '-D_FORTIFY_SOURCE=2.*-fPIE\|-D_FORTIFY_SOURCE=2.*-fPIC' || true)
[ "$total" -gt 0 ] && [ "$missing" -eq 0 ] &&
        pass "all $total compile commands have -D_FORTIFY_SOURCE=2 and position-independent code" ||
        fail "$missing of $total compile commands lack -D_FORTIFY_SOURCE=2 or -fPIE/-fPIC"
finish
