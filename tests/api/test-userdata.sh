#!/bin/bash
# SPDX-License-Identifier: MIT
# First-boot user data on the host: a real apiserver on a temporary socket and datastore, `userdata` run as
# the boot runs it (with fw_cfg, the data partition's file and /dev/disk/by-label in a scratch directory,
# where a config drive is a directory: the provider's test hook; EC2's IMDS on 127.0.0.1, refusing unless a
# test serves a fake one), and apiclient to see what a user would see. Also `userdata --check`, offline.
# Usage: test-userdata.sh APISERVER APICLIENT USERDATA SOURCE_ROOT
set -uo pipefail
apiserver=$1 apiclient=$2 userdata=$3 src=$4
. "$(dirname "$0")/lib.sh"
# The boot's invocation, every path pointed into the scratch directory; the console is a file to read back.
run_userdata() {
        : >"$work/console"
        "$userdata" --socket "$work/api.sock" --models "$src/models" --os-release "$work/os-release" \
                --fw-cfg-root "$work/fw_cfg" --file "$work/local/user-data.toml" \
                --by-label-dir "$work/by-label" --run-dir "$work" --imds-url http://127.0.0.1:1 \
                --console "$work/console" "$@" >"$work/out" 2>"$work/err"
}
user_data_status() { api --json raw -u /os | sed 's/.*"user_data":\({.*}\)}$/\1/'; }
fw_cfg() { # FILE: what QEMU's -fw_cfg name=opt/org.bulkhead/user-data,file=FILE shows in sysfs
        mkdir -p "$work/fw_cfg/by_name/opt/org.bulkhead/user-data"
        cp "$1" "$work/fw_cfg/by_name/opt/org.bulkhead/user-data/raw"
}

# 1. Good user data over fw_cfg, applied at first boot.
start first.sqlite
check "before userdata runs the status is none" [ "$(user_data_status)" = '{"status":"none"}' ]
fw_cfg "$src/tests/userdata/good.toml"
run_userdata
check "good user data: exit 0" [ $? -eq 0 ]
check "the motd is live" [ "$(api --json get motd)" = '{"motd":"Hello from user data"}' ]
check "the hostname is live" [ "$(api --json get network.hostname)" = '{"network":{"hostname":"node-7"}}' ]
servers='["time.example.com","https://ntp.example.org/"]'
check "the time servers are live" \
        [ "$(api --json get ntp.time-servers)" = "{\"ntp\":{\"time-servers\":$servers}}" ]
check "the name servers are live" \
        [ "$(api --json get dns.name-servers)" = '{"dns":{"name-servers":["10.0.2.3","2001:db8::53"]}}' ]
check "the sysctl (Bottlerocket's quoted name) is live" \
        [ "$(api --json get kernel.sysctl)" = '{"kernel":{"sysctl":{"net.ipv4.ip_forward":"1"}}}' ]
check "the admin container is enabled" [ "$(api --json get host-containers.admin.enabled)" = \
        '{"host-containers":{"admin":{"enabled":true}}}' ]
check "the motd file was rendered" [ "$(cat "$work/root/etc/motd")" = "Hello from user data" ]
check "GET /os: applied, from fw_cfg, 6 keys ($(user_data_status))" \
        [ "$(user_data_status)" = '{"status":"applied","source":"fw_cfg","keys":6}' ]
check "nothing on the console" [ ! -s "$work/console" ]
check "no transaction left pending" [ "$(api --json raw -u /tx/list)" = '[]' ]

# 2. Later boots leave the settings to the API.
printf '[settings]\nmotd = "second boot"\n' >"$work/second.toml"
fw_cfg "$work/second.toml"
run_userdata
check "second run: exit 0" [ $? -eq 0 ]
check "second run: the motd is unchanged" [ "$(api --json get motd)" = '{"motd":"Hello from user data"}' ]
check "second run: the status is unchanged" \
        [ "$(user_data_status)" = '{"status":"applied","source":"fw_cfg","keys":6}' ]
check "second run: says why it did nothing" grep -q "not the first boot" "$work/err"
stop

# 3. Bad user data on the data partition, fresh datastore: every error listed, nothing committed, and the
# boot goes on.
rm -rf "$work/fw_cfg"
mkdir "$work/local"
cp "$src/tests/userdata/bad.toml" "$work/local/user-data.toml"
start bad.sqlite
run_userdata
check "bad user data: exit 0, the boot goes on" [ $? -eq 0 ]
status=$(user_data_status)
errors='["settings.colour: unknown key","settings.network.hostname: not a hostname"]'
check "GET /os: invalid, from the file, both errors ($status)" \
        [ "$status" = "{\"status\":\"invalid\",\"source\":\"file\",\"errors\":$errors}" ]
check "the console names the unknown key" \
        grep -qx 'userdata: file: settings.colour: unknown key' "$work/console"
check "the console names the bad hostname" \
        grep -qx 'userdata: file: settings.network.hostname: not a hostname' "$work/console"
check "stderr has both too" [ "$(grep -c '^userdata: file: settings\.' "$work/err")" -eq 2 ]
check "the motd stays the default" [ "$(api --json get motd)" = '{"motd":"Welcome to Bulkhead (qemu)!"}' ]
check "the hostname stays the default" \
        [ "$(api --json get network.hostname)" = '{"network":{"hostname":"bulkhead"}}' ]
check "no transaction left pending" [ "$(api --json raw -u /tx/list)" = '[]' ]
stop

# 4. Broken TOML: line and column on the console.
cp "$src/tests/userdata/broken.toml" "$work/local/user-data.toml"
start broken.sqlite
run_userdata
check "broken TOML: exit 0" [ $? -eq 0 ]
check "broken TOML: the console has line and column" \
        grep -q '^userdata: file: line 2, column [0-9]*: ' "$work/console"
check "broken TOML: status invalid" grep -q '"status":"invalid","source":"file","errors":\["line 2, column' \
        <<<"$(user_data_status)"
stop

# 5. No user data anywhere.
rm -rf "$work/local"
start none.sqlite
run_userdata
check "no user data: exit 0" [ $? -eq 0 ]
check "GET /os: none-provided" [ "$(user_data_status)" = '{"status":"none-provided"}' ]
stop

# 6. A CIDATA drive (cloud-init NoCloud), when neither fw_cfg nor the data partition has user data.
mkdir -p "$work/by-label/cidata"
cp "$src/tests/userdata/good.toml" "$work/by-label/cidata/user-data"
start cidata.sqlite
run_userdata
check "CIDATA: exit 0" [ $? -eq 0 ]
check "CIDATA: GET /os: applied, from the config drive, 6 keys ($(user_data_status))" \
        [ "$(user_data_status)" = '{"status":"applied","source":"config-drive","keys":6}' ]
check "CIDATA: the motd is live" [ "$(api --json get motd)" = '{"motd":"Hello from user data"}' ]
stop

# 7. cloud-init's YAML on an OpenStack config drive: refused, saying what Bulkhead reads.
rm -rf "$work/by-label"
mkdir -p "$work/by-label/config-2/openstack/latest"
printf '#cloud-config\nhostname: node-7\n' >"$work/by-label/config-2/openstack/latest/user_data"
start config-2.sqlite
run_userdata
check "#cloud-config: exit 0, the boot goes on" [ $? -eq 0 ]
yaml='a #cloud-config (cloud-init YAML) document: Bulkhead reads TOML user data, with the settings under'
check "#cloud-config: the console says Bulkhead reads TOML" \
        grep -qx "userdata: config-drive: $yaml \[settings\]" "$work/console"
check "#cloud-config: GET /os: invalid, from the config drive ($(user_data_status))" grep -q \
        "^{\"status\":\"invalid\",\"source\":\"config-drive\",\"errors\":\[\"$yaml" <<<"$(user_data_status)"
check "#cloud-config: the hostname stays the default" \
        [ "$(api --json get network.hostname)" = '{"network":{"hostname":"bulkhead"}}' ]
stop
check "the config drive left nothing mounted in the run directory" \
        [ -z "$(find "$work" -maxdepth 1 -name 'bulkhead-userdata-*')" ]
rm -rf "$work/by-label"

# 8. EC2 IMDSv2 when nothing else has user data: a fake one that insists on the token (python3 serves it, as
# for test-update-verify.sh).
if command -v python3 >/dev/null; then
        python3 -u "$src/tests/api/fake-imds.py" "$work/imds-user-data" >"$work/imds.out" 2>"$work/imds.log" &
        helpers="$helpers $!"
        port=
        for _ in $(seq 50); do
                port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$work/imds.out")
                [ -z "$port" ] || break
                sleep 0.1
        done
        imds=http://127.0.0.1:$port
        check "the fake IMDS listens" [ -n "$port" ]
        check "the fake IMDS refuses user data without a token" \
                python3 -c "import sys, urllib.request, urllib.error
try: urllib.request.urlopen('$imds/latest/user-data')
except urllib.error.HTTPError as e: sys.exit(e.code != 401)
sys.exit(1)"
        cp "$src/tests/userdata/good.toml" "$work/imds-user-data"
        start imds.sqlite
        run_userdata --imds-url "$imds/"
        check "IMDS: exit 0" [ $? -eq 0 ]
        check "IMDS: GET /os: applied, from imds, 6 keys ($(user_data_status))" \
                [ "$(user_data_status)" = '{"status":"applied","source":"imds","keys":6}' ]
        check "IMDS: the hostname is live" \
                [ "$(api --json get network.hostname)" = '{"network":{"hostname":"node-7"}}' ]
        asked=$(tail -n 2 "$work/imds.log")
        check "IMDS: a token first, then the user data with it ($asked)" \
                [ "$asked" = "$(printf 'PUT /latest/api/token 200\nGET /latest/user-data 200')" ]
        stop

        # No user data given at launch: IMDS says 404, and that is all.
        rm "$work/imds-user-data"
        start imds-none.sqlite
        run_userdata --imds-url "$imds"
        check "IMDS 404: exit 0" [ $? -eq 0 ]
        check "IMDS 404: GET /os: none-provided ($(user_data_status))" \
                [ "$(user_data_status)" = '{"status":"none-provided"}' ]
        stop

        # Past the bound: named, not applied.
        head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$work/imds-user-data"
        start imds-big.sqlite
        run_userdata --imds-url "$imds"
        check "IMDS too large: exit 0" [ $? -eq 0 ]
        check "IMDS too large: GET /os: invalid, from imds ($(user_data_status))" [ "$(user_data_status)" = \
                '{"status":"invalid","source":"imds","errors":["larger than the limit of 1048576 bytes"]}' ]
        stop

        # The fw_cfg, the file and the drive all come first.
        printf '[settings]\nmotd = "from the file"\n' >"$work/imds-file.toml"
        start imds-order.sqlite
        run_userdata --imds-url "$imds" --file "$work/imds-file.toml"
        check "IMDS after the file: the file wins ($(user_data_status))" \
                [ "$(user_data_status)" = '{"status":"applied","source":"file","keys":1}' ]
        stop
else
        echo "skipped: the IMDS tests (no python3)"
fi

# 9. No API server: a clear failure, not a silent boot on defaults.
run_userdata
check "API unreachable: exit 1" [ $? -eq 1 ]
check "API unreachable: the message names the socket ($(cat "$work/err"))" \
        grep -q "$work/api.sock" "$work/err"

# 10. --check, offline: no server, no os-release of Bulkhead's.
"$userdata" --check "$src/tests/userdata/good.toml" --models "$src/models" >"$work/out" 2>"$work/err"
check "--check good: exit 0" [ $? -eq 0 ]
check "--check good: valid, 6 keys ($(cat "$work/out"))" \
        [ "$(cat "$work/out")" = "$src/tests/userdata/good.toml: valid, 6 keys" ]
"$userdata" --check "$src/tests/userdata/bad.toml" --models "$src/models" >"$work/out" 2>"$work/err"
check "--check bad: exit 1" [ $? -eq 1 ]
check "--check bad: two errors listed" [ "$(grep -c 'userdata: .*bad.toml: settings\.' "$work/err")" -eq 2 ]
check "--check bad: the unknown key" grep -q 'bad.toml: settings.colour: unknown key' "$work/err"
check "--check bad: the bad hostname" \
        grep -q 'bad.toml: settings.network.hostname: not a hostname' "$work/err"
"$userdata" --check "$src/tests/userdata/tables.toml" --models "$src/models" 2>"$work/err"
check "--check tables: exit 1" [ $? -eq 1 ]
check "--check tables: names [kubernetes]" grep -q '\[kubernetes\]: unknown table' "$work/err"
check "--check tables: names [settings2]" grep -q '\[settings2\]: unknown table' "$work/err"
"$userdata" --check "$src/tests/userdata/broken.toml" --models "$src/models" 2>"$work/err"
check "--check broken: exit 1" [ $? -eq 1 ]
check "--check broken: line and column" grep -q 'broken.toml: line 2, column' "$work/err"
"$userdata" --check "$work/missing.toml" --models "$src/models" 2>/dev/null
check "--check of a missing file: exit 1" [ $? -eq 1 ]
printf '#cloud-config\nhostname: node-7\n' >"$work/cloud.yaml"
"$userdata" --check "$work/cloud.yaml" --models "$src/models" 2>"$work/err"
check "--check #cloud-config: exit 1" [ $? -eq 1 ]
check "--check #cloud-config: says Bulkhead reads TOML" \
        grep -q 'cloud.yaml: a #cloud-config .*reads TOML' "$work/err"

echo "userdata: $passed passed, $failed failed"
[ $failed -eq 0 ]
