# SPDX-License-Identifier: MIT
# Sourced by the host tests of the update agent (POSIX sh): how they fail, bulkhead-repo with its output
# kept in repo-log.txt (needs $repo_tool), and fake images (needs $mkverity).
fail() {
        echo "FAIL: $*" >&2
        exit 1
}
run_repo() {
        "$repo_tool" "$@" >>repo-log.txt 2>&1 || { cat repo-log.txt >&2; fail "bulkhead-repo $*"; }
}
# fake_image VERSION BYTES: images/VERSION as tools/build-image.sh leaves it, its root BYTES random bytes
# (needs $mkverity): a real dm-verity tree of that root, and for each set a UKI of one line of text.
fake_image() {
        mkdir -p "images/$1"
        head -c "$2" /dev/urandom >"images/$1/root.erofs"
        "$mkverity" --salt 00ff "images/$1/root.erofs" "images/$1/verity.img" >"images/$1/verity.env"
        echo "uki $1 a" >"images/$1/uki-a.efi"
        echo "uki $1 b" >"images/$1/uki-b.efi"
}
