#!/usr/bin/env bash
# Instructions the service executes per request, counted by valgrind's callgrind: repeatable for
# the same binary, data and request whatever else the machine is doing (req/s on two shared cores
# moved by ±15 % between identical runs; these counts by less than 0.1 %), so a change's effect
# on the service's own work can be read from one run of each binary.
#
#   bench/instructions.sh [BIN...]      (default: target/release/fazhan)
#
# Runs against the benchmark's PostgreSQL database (`fazhan_bench`, seeded by bench/run.sh; keep
# it with SKIP_SEED=1) with the bench's credentials. For each binary and each of the operations
# a (`node` on a case), b (a page of 20 in a street's subtree) and c (a street's 20 branches with
# 20 cases each): starts the server under callgrind, warms up with 20 requests, zeroes the
# counters, sends N requests one after another (N_A, N_B, N_C) and prints the instructions per
# request (all threads of the service; PostgreSQL's work is not counted).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
[ $# -gt 0 ] || { cargo build --release -q --bin fazhan; set -- target/release/fazhan; }
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
export DATABASE_URL="$PGURL/fazhan_bench?sslmode=disable"
export JWT_SECRET=bench-secret-bench-secret-bench-secret FAZHAN_ADMIN_PASSWORD=bench-admin-pass RUST_LOG=warn
PORT=${PORT:-18092}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gid() { printf '%s:%s' "$1" "$2" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
street=$(psql "$PGURL/fazhan_bench" -Atc "SELECT id FROM organizations WHERE kind = 'STREET_WORKING_COMMITTEE' ORDER BY id LIMIT 1")
[ -n "$street" ] || { echo "no seeded fazhan_bench database: run bench/run.sh first" >&2; exit 1; }
s=$(gid Organization "$street")
printf '{"query":"query($id: ID!) { node(id: $id) { id ... on Candidate { name stage } } }","variables":{"id":"%s"}}' "$(gid Candidate 4242)" >"$work/a.json"
printf '{"query":"query($u: ID) { candidates(under: $u, first: 20) { edges { node { id name stage organization { id name } } } } }","variables":{"u":"%s"}}' "$s" >"$work/b.json"
printf '{"query":"query($u: ID!) { organization(id: $u) { children(first: 20) { edges { node { name candidates(first: 20) { edges { node { id name stage } } } } } } } }","variables":{"u":"%s"}}' "$s" >"$work/c.json"

post() { curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" --data-binary @"$1"; }

count() { # binary op n -> instructions per request
  local bin=$1 op=$2 n=$3
  rm -f "$work"/callgrind.out.*
  BIND_ADDR=127.0.0.1:$PORT valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out.%p" \
    "$bin" serve >"$work/server.log" 2>&1 &
  vpid=$!
  # count runs in a subshell of its own: its server goes with it, whatever stops it.
  trap 'kill "$vpid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
  token=$(curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
    -d '{"query":"mutation { login(input:{username:\"admin\", password:\"bench-admin-pass\"}) { token } }"}' |
    sed 's/.*"token":"\([^"]*\)".*/\1/')
  for _ in $(seq 1 20); do post "$work/$op.json" >/dev/null; done
  callgrind_control -z "$vpid" >/dev/null 2>&1
  for _ in $(seq 1 "$n"); do post "$work/$op.json" >"$work/last.json"; done
  callgrind_control -d "$vpid" >/dev/null 2>&1
  kill "$vpid"; wait "$vpid" 2>/dev/null || true
  trap - EXIT
  grep -q '"errors"' "$work/last.json" && { echo "op $op answered with errors: $(head -c 300 "$work/last.json")" >&2; exit 1; }
  local total
  total=$(callgrind_annotate "$(ls -S "$work"/callgrind.out.*.1 | head -1)" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  awk -v t="$total" -v n="$n" 'BEGIN {printf "%.0f", t / n}'
}

echo "| binary | a. node (instructions/request) | b. street page | c. branches → cases |"
echo "|---|---:|---:|---:|"
for bin in "$@"; do
  # Each count in a variable of its own, so that a failed one stops the script (set -e).
  a=$(count "$bin" a "${N_A:-300}")
  b=$(count "$bin" b "${N_B:-200}")
  c=$(count "$bin" c "${N_C:-100}")
  echo "| $bin | $a | $b | $c |"
done
