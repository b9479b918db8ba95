#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench-api: loads the settings API server and, in the same run as a baseline, nginx serving a static
# file of the same size as the API's GET /settings answer, both on Unix sockets, with the same client
# (bench/api-load: one epoll thread, keep-alive HTTP/1.1). Prints requests per second and p50/p99
# latency and the server's CPU time per request for 1 and 16 concurrent clients, the ratios API/nginx,
# the rate of write operations (PATCH /settings then POST /tx/commit, each a synced SQLite transaction)
# and the server's memory.
# Each measurement is taken ROUNDS times, API and nginx alternating, and the median is shown; a ratio is
# the median of the per-round ratios, so that load from other work on the machine cancels out.
# Environment: ROUNDS (default 3), DURATION seconds per measurement (default 3), WARMUP (default 0.5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/tools/lib/common.sh"
require_tools nginx
rounds=${ROUNDS:-3}
duration=${DURATION:-3}
warmup=${WARMUP:-0.5}
apiserver="$top/build/bin/apiserver"
load="$top/build/meson/bench/api-load"
if [ ! -x "$apiserver" ] || [ ! -x "$load" ]; then die "build first: make programs"; fi

work=$(mktemp -d /tmp/bench-api.XXXXXX)
api_pid='' nginx_pid=''
cleanup() {
        local pid
        for pid in $api_pid $nginx_pid; do
                kill "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        rm -rf "$work"
}
trap cleanup EXIT

wait_socket() { # PATH PID LOG
        for _ in $(seq 100); do
                [ -S "$1" ] && return 0
                kill -0 "$2" 2>/dev/null || break
                sleep 0.05
        done
        cat "$3" >&2
        die "no socket $1"
}
# status_kib PID FIELD: a field of /proc/PID/status in KiB.
status_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# The API server as tests/api/test-apiserver.sh starts it; its per-request log goes to a file.
printf 'NAME=Bulkhead\nVERSION_ID=0.1.0\nVARIANT_ID=qemu\nPRETTY_NAME="Bulkhead 0.1.0 (qemu)"\n' >"$work/os-release"
mkdir "$work/root" "$work/www" "$work/nginx"
"$apiserver" --socket "$work/api.sock" --datastore "$work/settings.sqlite" --models "$top/models" \
        --templates "$top/templates" --root "$work/root" --os-release "$work/os-release" --no-bus \
        2>"$work/apiserver.log" &
api_pid=$!
wait_socket "$work/api.sock" "$api_pid" "$work/apiserver.log"

# The baseline: one nginx process, private configuration, every path in the temporary directory.
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
        types { application/json json; }
        default_type application/octet-stream;
        access_log $work/nginx/access.log;
        sendfile on;
        keepalive_timeout 60s;
        keepalive_requests 100000000;
        client_body_temp_path $work/nginx/body;
        proxy_temp_path $work/nginx/proxy;
        fastcgi_temp_path $work/nginx/fastcgi;
        uwsgi_temp_path $work/nginx/uwsgi;
        scgi_temp_path $work/nginx/scgi;
        server {
                listen unix:$work/nginx.sock;
                root $work/www;
        }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" 2>"$work/nginx/stderr.log" &
nginx_pid=$!
wait_socket "$work/nginx.sock" "$nginx_pid" "$work/nginx/stderr.log"

# Idle memory: after start, before any request.
sleep 1
api_idle=$(status_kib "$api_pid" VmRSS) api_idle_anon=$(status_kib "$api_pid" RssAnon)
nginx_idle=$(status_kib "$nginx_pid" VmRSS) nginx_idle_anon=$(status_kib "$nginx_pid" RssAnon)

"$load" --socket "$work/api.sock" --get /settings --dump >"$work/www/settings.json"
"$load" --socket "$work/nginx.sock" --get /settings.json --dump >"$work/static.json"
cmp -s "$work/www/settings.json" "$work/static.json" || die "nginx does not serve the API's answer unchanged"
size=$(stat -c %s "$work/www/settings.json")

runs="$work/runs"
: >"$runs"
measure() { # LABEL SOCKET PID ARGS...: runs the load and keeps its result line
        local label=$1 sock=$2 pid=$3 line
        shift 3
        line=$("$load" --socket "$sock" --pid "$pid" --label "$label" --duration "$duration" --warmup "$warmup" "$@")
        note "$line"
        echo "$line" >>"$runs"
}
for ((r = 1; r <= rounds; r++)); do
        for c in 1 16; do
                # Alternate which server goes first, so neither always follows the other's load.
                if ((r % 2)); then
                        measure "api-get-$c" "$work/api.sock" "$api_pid" --clients "$c" --get /settings
                        measure "nginx-get-$c" "$work/nginx.sock" "$nginx_pid" --clients "$c" --get /settings.json
                else
                        measure "nginx-get-$c" "$work/nginx.sock" "$nginx_pid" --clients "$c" --get /settings.json
                        measure "api-get-$c" "$work/api.sock" "$api_pid" --clients "$c" --get /settings
                fi
        done
done
for ((r = 1; r <= rounds; r++)); do
        for c in 1 16; do
                measure "api-write-$c" "$work/api.sock" "$api_pid" --clients "$c" --patch /settings --tx bench \
                        --body '{"motd":"bench {n}"}'
        done
done
api_peak=$(status_kib "$api_pid" VmHWM) nginx_peak=$(status_kib "$nginx_pid" VmHWM)
errors=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^errors=/) { sub("errors=", "", $i); s += $i } } END { print s + 0 }' "$runs")

# field LABEL KEY: the values of KEY on LABEL's result lines, one per round.
field() { awk -v l="label=$1" -v k="$2=" '$1 == l { for (i = 2; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$runs"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
med() { field "$1" "$2" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# Median over the rounds of API/nginx for KEY at C clients.
paired_ratio() {
        paste <(field "api-get-$1" "$2") <(field "nginx-get-$1" "$2") | awk '{ printf "%.4f\n", $1 / $2 }' | median |
                awk '{ printf "%.2f", $1 }'
}

row() { printf '%-36s %12s %12s %8s %8s\n' "$@"; }
echo
row "bench-api (median of $rounds x ${duration}s)" api nginx ratio target
for c in 1 16; do
        row "GET ${size} B, $c client(s): req/s" "$(med "api-get-$c" rps)" "$(med "nginx-get-$c" rps)" \
                "$(paired_ratio "$c" rps)" ">=0.50"
        row "  p50 latency (us)" "$(med "api-get-$c" p50_us)" "$(med "nginx-get-$c" p50_us)" \
                "$(paired_ratio "$c" p50_us)" "-"
        row "  p99 latency (us)" "$(med "api-get-$c" p99_us)" "$(med "nginx-get-$c" p99_us)" \
                "$(paired_ratio "$c" p99_us)" "-"
        row "  server CPU per request (us)" "$(med "api-get-$c" server_cpu_us_per_req)" \
                "$(med "nginx-get-$c" server_cpu_us_per_req)" "$(paired_ratio "$c" server_cpu_us_per_req)" "<=2.00"
done
for c in 1 16; do
        row "PATCH+commit, $c client(s): ops/s" "$(med "api-write-$c" ops_per_s)" - - -
        row "  p50 latency (us)" "$(med "api-write-$c" p50_us)" - - -
        row "  p99 latency (us)" "$(med "api-write-$c" p99_us)" - - -
        row "  server CPU per request (us)" "$(med "api-write-$c" server_cpu_us_per_req)" - - -
done
row "RSS idle after start (KiB)" "$api_idle" "$nginx_idle" "$(ratio "$api_idle" "$nginx_idle")" "api<=4096"
row "  of which anonymous (KiB)" "$api_idle_anon" "$nginx_idle_anon" "$(ratio "$api_idle_anon" "$nginx_idle_anon")" -
row "RSS peak under load, VmHWM (KiB)" "$api_peak" "$nginx_peak" "$(ratio "$api_peak" "$nginx_peak")" -
row "errors (non-2xx or broken), all runs" "$errors" - - "0"
echo "Same client, same run; both servers log each request to a file. A write op is two requests, each a"
echo "synced SQLite transaction. Server CPU per request (schedstat) is the figure least moved by other work on"
echo "the machine: API/nginx <= 2 is the same goal as >= 0.5x the rate. RSS counts shared library pages too"
echo "(RssFile); anonymous is the process's own."
[ "$errors" = 0 ] || die "$errors requests failed (result lines: see above)"
