#!/bin/bash
# One instance against two on one PostgreSQL, reads b and d, 16 connections in all. Run after
# bench/run.sh has seeded fazhan_bench (it keeps the database), from the repository root.
set -u
BIN=${BIN:-target/release/fazhan}
URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fazhan_bench}
start() { DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$1 DB_MAX_CONNECTIONS=16 LOG_FORMAT=json $BIN serve >/tmp/inst$1.log 2>&1 & echo $!; }
wait_up() { for _ in $(seq 1 100); do curl -fs http://127.0.0.1:$1/readyz >/dev/null && return; sleep 0.2; done; }
p1=$(start 18101); p2=$(start 18102); wait_up 18101; wait_up 18102
TOKEN=$(curl -s http://127.0.0.1:18101/graphql -H 'content-type: application/json' -d '{"query":"mutation { login(input:{username:\"bench.organizer\", password:\"bench-organizer-pass\"}) { token } }"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
ATOKEN=$(curl -s http://127.0.0.1:18101/graphql -H 'content-type: application/json' -d '{"query":"mutation { login(input:{username:\"admin\", password:\"bench-admin-pass\"}) { token } }"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
street=$(curl -s http://127.0.0.1:18101/graphql -H 'content-type: application/json' -H "authorization: Bearer $ATOKEN" -d '{"query":"{ organizations(kind: STREET_WORKING_COMMITTEE, first: 1) { edges { node { id } } } }"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
printf '%s' "{\"query\":\"query(\$u: ID!) { candidates(under: \$u, first: 20) { edges { node { id name stage organization { name } } } } }\",\"variables\":{\"u\":\"$street\"}}" > /tmp/b.json
printf '%s' '{"query":"{ indicators(year: 2025) { admitted planTotal structure { category count } } }"}' > /tmp/d.json
run() { # label token body ports...
  local label=$1 tok=$2 body=$3; shift 3
  local n=$#; local c=$((16 / n)); local pids=()
  for port in "$@"; do
    BODY_FILE=$body TOKEN=$tok wrk -t1 -c$c -d10s --latency -s bench/post.lua http://127.0.0.1:$port/graphql > /tmp/wrk.$port 2>&1 & pids+=($!)
  done
  wait "${pids[@]}"
  local rps=0 p99=""
  for port in "$@"; do
    r=$(awk '/Requests\/sec/ {print $2}' /tmp/wrk.$port); rps=$(awk -v a=$rps -v b=$r 'BEGIN{print a+b}')
    p99="$p99 $(awk '$1=="99%" {print $2}' /tmp/wrk.$port)"
  done
  echo "| $label | $n | $rps |$p99 |"
}
echo "| operation | instances | req/s (sum) | p99 per instance |"
echo "|---|---:|---:|---|"
run "b. page of 20 in a street's subtree" $TOKEN /tmp/b.json 18101
run "b. page of 20 in a street's subtree" $TOKEN /tmp/b.json 18101 18102
run "d. province-wide indicators" $ATOKEN /tmp/d.json 18101
run "d. province-wide indicators" $ATOKEN /tmp/d.json 18101 18102
kill $p1 $p2
