#!/bin/bash
# serve-load.sh: serve mode under load. A benchmark that prints figures, not a test.
#
# Starts `oauth-sim serve` on 127.0.0.1, walks the OAuth flow with curl to get a client, an
# access token and a refresh token, then runs wrk against
#   (a) POST /introspect at the authorization server (the client's own credentials, its token),
#   (b) GET /calendar/events at the API with the token (the API introspects it over HTTP),
#   (c) POST /token with the refresh_token grant (the scenario turns rotation off, so the same
#       refresh token can be sent again and again by a confidential client),
# and reads serve's resident memory before and after each run. Then SIGINT, and a table.
#
# Usage: tests/load/serve-load.sh [OAUTH_SIM]      (default: build-load/oauth-sim)
# Environment:
#   DURATION=30s CONNECTIONS=64 THREADS=2    wrk's -d, -c and -t
#   TRACE=devnull    serve's stdout (the live trace, rendered and written) goes to /dev/null
#   TRACE=pipe       serve's stdout goes through a pipe to a `cat` that throws it away, as a
#                    terminal or a log collector would read it (one more process on the cores)
#   RUNS="introspect api token token"   which runs, in that order. A token run issues a new
#                    access token per request, which the server keeps until it expires: a second
#                    token run, once the first one's tokens have expired, shows that memory stays
#                    at that level instead of growing (the script waits for the expiry).
#   PIN="taskset -c 0,1"            a prefix for serve and wrk (default none)
#
# All traffic is to 127.0.0.1; every wait has a deadline.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OAUTH_SIM=${1:-${OAUTH_SIM:-$ROOT/build-load/oauth-sim}}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
TRACE=${TRACE:-devnull}
RUNS=${RUNS:-introspect api token token}
PIN=${PIN:-}
HOST=127.0.0.1

for tool in wrk curl jq python3; do
  command -v "$tool" >/dev/null || { echo "serve-load: $tool is needed (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$OAUTH_SIM" ] || { echo "serve-load: no oauth-sim at $OAUTH_SIM" >&2; exit 2; }

case $DURATION in
  *s) SECONDS_PER_RUN=${DURATION%s} ;;
  *m) SECONDS_PER_RUN=$(( ${DURATION%m} * 60 )) ;;
  *[0-9]) SECONDS_PER_RUN=$DURATION ;;
  *) echo "serve-load: DURATION is a number of seconds (30s) or minutes (1m)" >&2; exit 2 ;;
esac
# Access tokens live a little longer than a run, so that the token taken before a run is good
# to its end, and what a token run issues is gone soon after.
LIFETIME=$(( SECONDS_PER_RUN + 10 ))

WORK=$(mktemp -d /tmp/serve-load.XXXXXX)
SERVE_PID=
CAT_PID=
cleanup() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -INT "$SERVE_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVE_PID" 2>/dev/null || true
  fi
  [ -n "$CAT_PID" ] && kill "$CAT_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Confidential clients keep their refresh token when the server does not rotate them; a
# refresh issues a new access token each time, and the server remembers each one until it
# expires.
cat > "$WORK/scenario.json" <<JSON
{
  "title": "Serve mode under load",
  "description": "The classic world with refresh tokens that do not rotate, for wrk.",
  "server": { "rotate_refresh_tokens": false, "access_token_lifetime": $LIFETIME },
  "steps": [ { "actor": "client", "action": "register", "expect": { "status": 201 } } ]
}
JSON

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVE_PID/status"; }
# CPU time serve has used so far, user + system, in clock ticks (fields 14 and 15 of stat;
# the command name in field 2 has no spaces here).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVE_PID/stat"; }
TICKS=$(getconf CLK_TCK)
fds() { ls "/proc/$SERVE_PID/fd" | wc -l; }

# Three free ports in a row (the server's, the API's N+1, the client's N+2), chosen here so
# that the trace can go straight to /dev/null; serve refuses a port in use, and we try again.
free_port() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 60000)
    socks = []
    try:
        for p in range(base, base + 3):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(base); break
PY
}

start_serve() {
  local port
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if [ "$TRACE" = pipe ]; then
      mkfifo "$WORK/trace.fifo"
      cat "$WORK/trace.fifo" > /dev/null &
      CAT_PID=$!
      NO_COLOR=1 $PIN "$OAUTH_SIM" serve --port "$port" --scenario "$WORK/scenario.json" \
        > "$WORK/trace.fifo" 2> "$WORK/serve.err" &
    else
      NO_COLOR=1 $PIN "$OAUTH_SIM" serve --port "$port" --scenario "$WORK/scenario.json" \
        > /dev/null 2> "$WORK/serve.err" &
    fi
    SERVE_PID=$!
    AUTH="http://$HOST:$port"; API="http://$HOST:$((port + 1))"; CLIENT="http://$HOST:$((port + 2))"
    # The client answers once it has registered, so all three are up when it does.
    for _ in $(seq 100); do
      kill -0 "$SERVE_PID" 2>/dev/null || break
      if curl -s -o /dev/null --max-time 2 "$CLIENT/"; then return 0; fi
      sleep 0.1
    done
    kill -INT "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true
    [ -n "$CAT_PID" ] && { kill "$CAT_PID" 2>/dev/null || true; CAT_PID=; }
    rm -f "$WORK/trace.fifo"
    echo "serve-load: serve did not start on port $port (attempt $attempt): $(cat "$WORK/serve.err")" >&2
  done
  exit 1
}

start_serve
echo "serve: pid $SERVE_PID, $AUTH (auth-server) $API (api) $CLIENT (client), trace to ${TRACE}"

# The flow, as any OAuth client would walk it: register, authorize with PKCE, consent as the
# owner, exchange the code.
C="curl -s --max-time 10 -A serve-load/1"
REDIRECT="http://127.0.0.1:9/callback"
registration=$($C "$AUTH/register" -H 'Content-Type: application/json' -d "{
  \"client_name\": \"serve-load\", \"redirect_uris\": [\"$REDIRECT\"],
  \"grant_types\": [\"authorization_code\", \"refresh_token\"],
  \"token_endpoint_auth_method\": \"client_secret_basic\", \"scope\": \"calendar.read\"}")
CLIENT_ID=$(jq -r .client_id <<<"$registration")
CLIENT_SECRET=$(jq -r .client_secret <<<"$registration")
[ "$CLIENT_SECRET" != null ] || { echo "serve-load: registration failed: $registration" >&2; exit 1; }
BASIC=$(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)

read -r VERIFIER CHALLENGE < <(python3 -c '
import base64, hashlib, secrets
v = secrets.token_urlsafe(48)
print(v, base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode())')
login=$($C -G "$AUTH/authorize" --data-urlencode response_type=code --data-urlencode "client_id=$CLIENT_ID" \
  --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode scope=calendar.read \
  --data-urlencode state=load-state --data-urlencode "code_challenge=$CHALLENGE" \
  --data-urlencode code_challenge_method=S256)
REQUEST_ID=$(sed -n 's/.*name="request_id" value="\([^"]*\)".*/\1/p' <<<"$login" | head -1)
[ -n "$REQUEST_ID" ] || { echo "serve-load: no login page: $login" >&2; exit 1; }
location=$($C -o /dev/null -w '%{redirect_url}' "$AUTH/consent" --data-urlencode "request_id=$REQUEST_ID" \
  --data-urlencode username=alice --data-urlencode password=wonderland \
  --data-urlencode scope=calendar.read --data-urlencode decision=approve)
CODE=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$location")
[ -n "$CODE" ] || { echo "serve-load: no code in $location" >&2; exit 1; }
tokens=$($C "$AUTH/token" -H "Authorization: Basic $BASIC" -d grant_type=authorization_code \
  --data-urlencode "code=$CODE" --data-urlencode "redirect_uri=$REDIRECT" \
  --data-urlencode "code_verifier=$VERIFIER")
REFRESH_TOKEN=$(jq -r .refresh_token <<<"$tokens")
[ "$REFRESH_TOKEN" != null ] || { echo "serve-load: no tokens: $tokens" >&2; exit 1; }

# A fresh access token for each run (it lives LIFETIME seconds), from the refresh token.
fresh_access_token() {
  local answer
  answer=$($C "$AUTH/token" -H "Authorization: Basic $BASIC" -d grant_type=refresh_token \
    --data-urlencode "refresh_token=$REFRESH_TOKEN")
  jq -er .access_token <<<"$answer" || { echo "serve-load: refresh failed: $answer" >&2; exit 1; }
}

# Checks once, before wrk, that the request wrk will repeat gets a 200.
check() {
  local status
  status=$($C -o "$WORK/check.body" -w '%{http_code}' "$@")
  [ "$status" = 200 ] || { echo "serve-load: $* answered $status: $(cat "$WORK/check.body")" >&2; exit 1; }
}

lua_post() {  # file path body
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.path = "$2"
wrk.body = "$3"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $BASIC"
LUA
}

declare -a ROWS=()
run() {  # name url lua-file
  local name=$1 url=$2 lua=$3 before after fds_before fds_after out cpu_before cpu_after wrk_cpu
  before=$(rss_kb); fds_before=$(fds)
  out="$WORK/wrk-$name.txt"
  echo
  echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # What else holds the cores now: top's second sample, one second long (its first is an average
  # since each process started).
  echo "   busiest other processes: $(top -b -n 2 -d 1 -o %CPU -w 200 | awk -v self="$SERVE_PID" '
    /^top -/ { sample++ } sample == 2 && $1 ~ /^[0-9]+$/ && $1 != self && $12 != "top" && n < 3 && $9 + 0 >= 5 {
      printf "%s%s %s%%", (n++ ? ", " : ""), $12, $9 }' || true)"
  cpu_before=$(cpu_ticks)
  # bash's time: wrk's own CPU seconds, user + system, on the last line of its file
  { TIMEFORMAT='%U %S'; time $PIN wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency --timeout 5s \
      -s "$lua" "$url" > "$out"; } 2> "$WORK/wrk-$name.time"
  cpu_after=$(cpu_ticks)
  cat "$out"
  # Let the server finish closing what wrk left open before counting.
  sleep 2
  after=$(rss_kb); fds_after=$(fds)
  echo "serve RSS ${before} kB -> ${after} kB; open descriptors $fds_before -> $fds_after"
  local rps p50 p99 requests errors non2xx serve_us wrk_us
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  requests=$(awk '/requests in/ { print $1 }' "$out")
  p50=$(awk '$1 == "50%" { print $2 }' "$out")
  p99=$(awk '$1 == "99%" { print $2 }' "$out")
  errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$out")
  # CPU microseconds per request: serve's (all its threads) and wrk's.
  serve_us=$(awk -v t="$((cpu_after - cpu_before))" -v hz="$TICKS" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  wrk_us=$(awk -v n="$requests" '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$WORK/wrk-$name.time")
  echo "CPU per request: serve ${serve_us} µs, wrk ${wrk_us} µs"
  ROWS+=("$(printf '%-11s %10s %10s %9s %9s %7s %8s %9s %9s %5s %9s %7s' "$name" "$requests" "$rps" "$p50" "$p99" \
    "${errors:-0}" "${non2xx:-0}" "$before" "$after" "$fds_after" "$serve_us" "$wrk_us")")
}

for what in $RUNS; do
  case $what in
    introspect)
      check "$AUTH/introspect" -H "Authorization: Basic $BASIC" -d "token=$(fresh_access_token)"
      grep -q '"active":true' "$WORK/check.body" || { echo "serve-load: token not active" >&2; exit 1; }
      lua_post "$WORK/introspect.lua" /introspect "token=$(fresh_access_token)"
      run introspect "$AUTH/introspect" "$WORK/introspect.lua" ;;
    api)
      token=$(fresh_access_token)
      check "$API/calendar/events" -H "Authorization: Bearer $token"
      printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" > "$WORK/api.lua"
      run api "$API/calendar/events" "$WORK/api.lua" ;;
    token)
      if [ -n "${TOKEN_RUN_ENDED:-}" ]; then
        wait_s=$(( TOKEN_RUN_ENDED + LIFETIME + 2 - $(date +%s) ))
        if [ "$wait_s" -gt 0 ]; then
          echo; echo "(waiting ${wait_s} s for the last token run's access tokens to expire)"
          sleep "$wait_s"
        fi
      fi
      lua_post "$WORK/token.lua" /token "grant_type=refresh_token&refresh_token=$REFRESH_TOKEN"
      check "$AUTH/token" -H "Authorization: Basic $BASIC" -d grant_type=refresh_token \
        --data-urlencode "refresh_token=$REFRESH_TOKEN"
      run token "$AUTH/token" "$WORK/token.lua"
      TOKEN_RUN_ENDED=$(date +%s) ;;
    *) echo "serve-load: unknown run $what" >&2; exit 2 ;;
  esac
done

kill -INT "$SERVE_PID"
status=0
for _ in $(seq 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
wait "$SERVE_PID" || status=$?
SERVE_PID=

echo
echo "oauth-sim serve under wrk -t$THREADS -c$CONNECTIONS -d$DURATION, trace to $TRACE, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
printf '%-11s %10s %10s %9s %9s %7s %8s %9s %9s %5s %9s %7s\n' run requests req/s p50 p99 errors non-2xx "RSS kB" after fds "serve µs" "wrk µs"
for row in "${ROWS[@]}"; do echo "$row"; done
echo "serve exited with status $status after SIGINT"
