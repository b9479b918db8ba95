#!/bin/bash
# SPDX-License-Identifier: MIT
# The API server and apiclient end to end on the host: a real server on a temporary socket and datastore,
# driven by apiclient as an operator would. Checks answers, exit codes, rendering (the sha256 a node
# reports equals the one `render --settings` computes), try/confirm and persistence across restarts.
# Usage: test-apiserver.sh APISERVER APICLIENT RENDER SOURCE_ROOT
set -uo pipefail
apiserver=$1 apiclient=$2 render=$3 src=$4
. "$(dirname "$0")/lib.sh"

start
check "defaults of the variant are live" [ "$(api --json get motd)" = '{"motd":"Welcome to Bulkhead (qemu)!"}' ]
check "the update seed was drawn in 0..2047" \
        bash -c '[[ "$1" =~ \"seed\":([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -le 2047 ]' _ "$(api --json get updates)"

api set motd='hi <there>' network.hostname=node-1 'kernel.sysctl."net.ipv4.ip_forward"=1' \
        host-containers.admin.enabled=true
check "set KEY=VALUE... exits 0" [ $? -eq 0 ]
out=$(api --json get motd network.hostname kernel.sysctl host-containers.admin.enabled)
check "get shows what was set (quoted sysctl name, string coerced to bool)" \
        [ "$out" = '{"motd":"hi <there>","network":{"hostname":"node-1"},"kernel":{"sysctl":{"net.ipv4.ip_forward":"1"}},"host-containers":{"admin":{"enabled":true}}}' ]
check "the motd file was rendered" [ "$(cat "$work/root/etc/motd")" = "hi <there>" ]
check "sysctl.conf was rendered" grep -qx 'net.ipv4.ip_forward = 1' "$work/root/etc/sysctl.d/90-bulkhead.conf"

err=$(api set nope.key=1 2>&1); rc=$?
check "unknown key refused with exit 2, by name ($err)" [ $rc -eq 2 ] && [[ "$err" == *"settings.nope"* ]]
err=$(api set network.hostname=-x- 2>&1); rc=$?
check "bad value refused with exit 2 ($err)" [ $rc -eq 2 ] && [[ "$err" == *"settings.network.hostname"* ]]
check "a refused set leaves no pending transaction" [ "$(api --json raw -u /tx/list)" = '[]' ]
api set 2>/dev/null; check "set without arguments is a usage error (exit 1)" [ $? -eq 1 ]
api frobnicate 2>/dev/null; check "unknown command is a usage error (exit 1)" [ $? -eq 1 ]
"$apiclient" --socket "$work/none.sock" get 2>/dev/null; check "no server is exit 3" [ $? -eq 3 ]
api raw -u /nowhere 2>/dev/null; check "unknown endpoint is exit 2" [ $? -eq 2 ]

# Bottlerocket-style user data applied unchanged.
cat >"$work/user-data.toml" <<'TOML'
[settings]
motd = "from toml"
[settings.ntp]
time-servers = ["time.example.com"]
[settings.dns]
name-servers = ["10.0.2.3"]
[settings.kernel.sysctl]
"vm.max_map_count" = "262144"
TOML
api apply "$work/user-data.toml"
check "apply TOML exits 0" [ $? -eq 0 ]
check "applied TOML is live" [ "$(api --json get motd)" = '{"motd":"from toml"}' ]
check "timesyncd configuration rendered" grep -qx 'NTP=time.example.com ' \
        "$work/root/etc/systemd/timesyncd.conf.d/10-bulkhead.conf"
printf '[settings]\nmotd = 5\n' | api apply - 2>/dev/null
check "apply of a wrongly typed value is refused (exit 2)" [ $? -eq 2 ]
printf '[settings\n' | api apply - 2>"$work/err"
check "apply of broken TOML names line and column (exit 1)" [ $? -eq 1 ] && grep -q "line 1, column" "$work/err"

# What the node reports it wrote is what the host computes from the same settings. At boot every file is
# rendered: POST /tx/apply without keys.
api raw -X POST -u /tx/apply
check "apply of every file exits 0" [ $? -eq 0 ]
api --json get >"$work/settings.json"
for f in motd sysctl timesyncd resolved containerd-config updates; do
        node=$(api --json raw -u "/configuration-files?names=$f" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
        tmpl=$(api --json raw -u "/configuration-files?names=$f" | sed -n 's/.*"template":"\([^"]*\)".*/\1/p')
        host=$("$render" --settings "$work/settings.json" --template "$src/templates/$tmpl" \
                --partials "$src/templates" | sha256sum | cut -d' ' -f1)
        check "$f: node's sha256 equals the host's rendering ($host)" [ -n "$node" ] && [ "$node" = "$host" ]
done

out=$(api --json set --try 1 motd=tried)
check "set --try answers with the keys and a deadline ($out)" grep -q '"keys":\["settings.motd"\],"confirm_by":[0-9]' <<<"$out"
check "the tried value is live" [ "$(api --json get motd)" = '{"motd":"tried"}' ]
sleep 2
check "unconfirmed: reverted after the deadline" [ "$(api --json get motd)" = '{"motd":"from toml"}' ]
check "the file is rendered back" [ "$(cat "$work/root/etc/motd")" = "from toml" ]

stop
start
out=$(api --json get motd)
check "settings persist across a restart ($out)" [ "$out" = '{"motd":"from toml"}' ]
api --json set --try 30 motd=pending >/dev/null
kill -9 "$server"; wait "$server" 2>/dev/null
start
check "a try left unconfirmed by a crash is reverted at start" [ "$(api --json get motd)" = '{"motd":"from toml"}' ]

echo "api: $passed passed, $failed failed"
[ $failed -eq 0 ]
