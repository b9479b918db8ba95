#!/bin/sh
# SPDX-License-Identifier: MIT
# The agent loads libcurl only for a repository given as a URL (http, https, file), with dlopen(): the
# binary does not need it (no DT_NEEDED entry), a directory repository works where libcurl cannot be
# loaded at all, and a URL repository there fails with an error naming the library, not a loader error
# before main() or a crash. file:// with the real libcurl still works (update-resume covers http).
# Usage: test-update-dlopen.sh UPDATE BULKHEAD_REPO MKVERITY
set -eu
lib=$(dirname "$(realpath "$0")")/lib.sh

update=$(realpath "$1")
repo_tool=$(realpath "$2")
mkverity=$(realpath "$3")
command -v readelf >/dev/null || { echo "SKIP: no readelf (binutils)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"

. "$lib"

needed=$(readelf -dW "$update" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED entries in $update"
case " $(echo $needed) " in
*" libcurl."*) fail "update links libcurl: $(echo $needed)" ;;
esac

fake_image 2.0.0 65536
run_repo keys create --dir keys --type ed25519
run_repo init --repo repo --keys keys
run_repo add --repo repo --version 2.0.0 --image-dir images/2.0.0 --variant qemu --released 2025-02-01T00:00:00Z \
        --waves 0
run_repo sign --repo repo --keys keys
cp repo/metadata/1.root.json root.json

check() { # REPO OUTPUT [LIBRARY_DIR]: check from 1.0.0, the dynamic loader looking in LIBRARY_DIR first
        ld=${LD_LIBRARY_PATH-}
        [ $# -lt 3 ] || ld=$3${ld:+:$ld}
        rm -rf cache state.json
        rc=0
        LD_LIBRARY_PATH=$ld "$update" check --root root.json --repo "$1" --variant qemu --current-version 1.0.0 \
                --seed 0 --state state.json --metadata-cache cache >"$2" 2>&1 || rc=$?
}
url="file://$out/repo"

check "$url" check.txt
[ "$rc" -eq 0 ] && grep -q '^available 2.0.0$' check.txt || fail "check over file://: $(cat check.txt)"

# Where dlopen("libcurl.so.4") finds something that is not a library, and a library without curl's
# functions (json-c, which the agent has loaded already).
mkdir not-elf other
echo "not a library" >not-elf/libcurl.so.4
json=$(ldd "$update" | awk '$1 == "libjson-c.so.5" { print $3 }')
[ -f "$json" ] || fail "no libjson-c.so.5 in 'ldd $update'"
ln -s "$json" other/libcurl.so.4

# dlerror() names the file for the first, the missing function for the second (found in json-c's file).
for broken in not-elf:"$out/not-elf/libcurl.so.4: " other:"undefined symbol: curl_"; do
        dir=${broken%%:*} why=${broken#*:}
        check repo check.txt "$out/$dir"
        [ "$rc" -eq 0 ] && grep -q '^available 2.0.0$' check.txt ||
                fail "check of a directory, libcurl $dir: $(cat check.txt)"
        check "$url" check.txt "$out/$dir"
        [ "$rc" -eq 1 ] || fail "check over file://, libcurl $dir: exit $rc: $(cat check.txt)"
        grep -q "^error: cannot load libcurl.so.4, needed for http(s) and file:// repositories: .*$why" check.txt ||
                fail "check over file://, libcurl $dir: $(cat check.txt)"
done
echo ok
