#!/usr/bin/env bash
# The province benchmark: seeds the province set, starts the release build, drives it with wrk
# at 16 connections, and prints one table per database: operation, req/s, p50, p99, SQL
# statements per request, peak RSS, and the floor (PostgreSQL alone via pgbench) with the ratio.
#   ORGS=19862 CANDIDATES=1000000 DURATION=10 CONNECTIONS=16 PG=1 SQLITE=1 SKIP_SEED=0 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ORGS=${ORGS:-19862}
CANDIDATES=${CANDIDATES:-1000000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
SQLITE=${SQLITE:-1}
PORT=${PORT:-18090}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
command -v pgbench >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib >/dev/null; }
cargo build --release -q --bin fazhan
bin=target/release/fazhan
export JWT_SECRET=bench-secret-bench-secret-bench-secret FAZHAN_ADMIN_PASSWORD=bench-admin-pass RUST_LOG=warn

sqlite_file() { local f=${1#sqlite://}; echo "${f%%\?*}"; }
gid() { printf '%s:%s' "$1" "$2" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
gql() { curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d "$1"; }
stmts() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^fazhan_sql_statements_total/ {print $2}'; }

run_op() { # name body-json [ids-file]
  local name=$1 body=$2 ids=${3:-}
  printf '%s' "$body" >"$work/body.json"
  local s0; s0=$(stmts)
  BODY_FILE="$work/body.json" IDS_FILE="$ids" TOKEN="$TOKEN" \
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/post.lua "http://127.0.0.1:$PORT/graphql" >"$work/wrk.txt" 2>&1 || true
  local s1; s1=$(stmts)
  local rps p50 p99 reqs non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  reqs=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
  local per="-"
  [ -n "$reqs" ] && [ "$reqs" -gt 0 ] && per=$(awk -v a="$s0" -v b="$s1" -v r="$reqs" 'BEGIN {printf "%.1f", (b-a)/r}')
  echo "$name|$rps|$p50|$p99|$per|${non2xx:-0}" >>"$work/results.txt"
}

floor() { # name sql-file -> tps
  local out
  out=$(pgbench -n -c"$CONNECTIONS" -j2 -T"$DURATION" -M prepared -f "$2" "$DBURL" 2>/dev/null | awk '/^tps/ {print $3; exit}')
  echo "$1|${out:-}" >>"$work/floor.txt"
}

bench_db() { # label database-url
  local label=$1 url=$2
  : >"$work/results.txt"; : >"$work/floor.txt"
  export DATABASE_URL=$url
  local t0; t0=$(date +%s.%N)
  if [ "${SKIP_SEED:-0}" != 1 ]; then "$bin" seed --orgs "$ORGS" --candidates "$CANDIDATES" --seed 42 | tail -1; fi
  local seed_s; seed_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}')
  "$bin" counts verify | tail -1
  # Freshly loaded tables: set hint bits and the visibility map once, as autovacuum would soon.
  if [[ $url == postgres* ]]; then psql "$url" -qc "VACUUM (ANALYZE)"; fi
  "$bin" user create --org 1 --role ORGANIZER --username bench.organizer <<<"bench-organizer-pass" >/dev/null 2>&1 || true
  BIND_ADDR=127.0.0.1:$PORT "$bin" serve >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  TOKEN=$(curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
    -d '{"query":"mutation { login(input:{username:\"admin\", password:\"bench-admin-pass\"}) { token } }"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  ORG_TOKEN=$(curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
    -d '{"query":"mutation { login(input:{username:\"bench.organizer\", password:\"bench-organizer-pass\"}) { token } }"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  local cand street district
  cand=$(gid Candidate 4242)
  street=$(gql '{"query":"{ organizations(kind: STREET_WORKING_COMMITTEE, first: 1) { edges { node { id } } } }"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
  run_op "a. candidate by id" "{\"query\":\"query(\$id: ID!) { node(id: \$id) { id ... on Candidate { name stage } } }\",\"variables\":{\"id\":\"$cand\"}}"
  run_op "b. page of 20 in a street's subtree, with organization and stage" "{\"query\":\"query(\$u: ID) { candidates(under: \$u, first: 20) { edges { node { id name stage organization { id name } } } } }\",\"variables\":{\"u\":\"$street\"}}"
  run_op "c. street → 20 branches → 20 candidates each" "{\"query\":\"query(\$u: ID!) { organization(id: \$u) { children(first: 20) { edges { node { name candidates(first: 20) { edges { node { id name stage } } } } } } } }\",\"variables\":{\"u\":\"$street\"}}"
  run_op "d. province-wide indicators for a year" '{"query":"{ indicators(year: 2025) { admitted applications { total byStage { value count } byGender { value count } byEducation { value count } } } }"}'
  run_op "e. 100 children with their subtree candidate count" '{"query":"{ organizations(kind: COUNTY_ORGANIZATION_DEPARTMENT, first: 100) { edges { node { id name candidateCount } } } }"}'
  # f. one pipeline step per request: a half-yearly examination on a different activist each time.
  psql "$url" -Atc "SELECT id FROM candidates WHERE stage = 'ACTIVIST' AND activist_on < '2025-12-01' ORDER BY id LIMIT 40000" 2>/dev/null >"$work/ids.raw" \
    || sqlite3 "$(sqlite_file "$url")" "SELECT id FROM candidates WHERE stage = 'ACTIVIST' AND activist_on < '2025-12-01' ORDER BY id LIMIT 40000" >"$work/ids.raw" 2>/dev/null || true
  while read -r i; do gid Candidate "${i%%\?*}"; echo; done <"$work/ids.raw" >"$work/ids.txt"
  local saved=$TOKEN; TOKEN=$ORG_TOKEN
  # One step by hand first, to show it succeeds (its id is then skipped by the run's rotation).
  gql "{\"query\":\"mutation(\$i: RecordPipelineStepInput!) { recordPipelineStep(input: \$i) { candidate { version stage } } }\",\"variables\":{\"i\":{\"candidateId\":\"$(tail -1 "$work/ids.txt")\",\"expectedVersion\":1,\"occurredOn\":\"2026-01-15\",\"step\":{\"activistExamination\":{\"summary\":\"x\"}}}}}" | head -c 300; echo
  sed -i '$d' "$work/ids.txt"
  run_op "f. one pipeline step (counts updated)" '{"query":"mutation($i: RecordPipelineStepInput!) { recordPipelineStep(input: $i) { candidate { version } } }","variables":{"i":{"candidateId":"__ID__","expectedVersion":1,"occurredOn":"2026-01-15","step":{"activistExamination":{"summary":"半年考察"}}}}}' "$work/ids.txt"
  TOKEN=$saved
  # g. importCandidates of 10,000 rows in one request.
  python3 - "$work/import.json" "$(gid Organization "$(psql "$url" -Atc "SELECT id FROM organizations WHERE kind='BRANCH' ORDER BY id LIMIT 1" 2>/dev/null || sqlite3 "$(sqlite_file "$url")" "SELECT id FROM organizations WHERE kind='BRANCH' ORDER BY id LIMIT 1")")" <<'PY'
import json, sys, time
prefix = int(time.time()) % 900 + 100
W=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; C='10X98765432'
rows=[]
for i in range(10000):
    f17='%03d%03d%s%03d' % (prefix, i // 1000, '20000101', i % 1000)
    rows.append({"organizationId": sys.argv[2], "appliedOn": "2025-12-01", "person": {"name": "导入", "gender": "MALE", "birthDate": "2000-01-01", "idCardNumber": f17 + C[sum(int(a)*b for a,b in zip(f17,W)) % 11], "education": "UNDERGRADUATE", "occupations": ["WORKER"]}})
json.dump({"query": "mutation($r: [ImportCandidateRowInput!]!) { importCandidates(input: {rows: $r}) { imported } }", "variables": {"r": rows}}, open(sys.argv[1], "w"))
PY
  local i0 i1; i0=$(date +%s.%N)
  curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $ORG_TOKEN" --data-binary @"$work/import.json" >"$work/import.out"
  i1=$(date +%s.%N)
  local imported; imported=$(sed 's/.*"imported":\([0-9]*\).*/\1/' "$work/import.out")
  echo "g. importCandidates of 10,000 rows|$(awk -v a="$i0" -v b="$i1" -v n="${imported:-0}" 'BEGIN {printf "%.0f rows/s", n/(b-a)}')|$(awk -v a="$i0" -v b="$i1" 'BEGIN {printf "%.2fs", b-a}')|||" >>"$work/results.txt"
  local rss; rss=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  "$bin" counts verify | tail -1
  # The floor: the same questions answered by PostgreSQL alone.
  if [[ $url == postgres* ]]; then
    DBURL=$url
    local sid; sid=$(python3 -c "import base64,sys; s=sys.argv[1]; print(base64.urlsafe_b64decode(s+'='*(-len(s)%4)).decode().split(':')[1])" "$street")
    local spath; spath=$(psql "$url" -Atc "SELECT path FROM organizations WHERE id = $sid")
    printf "SELECT c.id, p.name, c.stage FROM candidates c JOIN people p ON p.id = c.person_id WHERE c.id = 4242;\n" >"$work/a.sql"
    printf "SELECT c.id, p.name, c.stage, o.id, o.name FROM candidates c JOIN people p ON p.id = c.person_id JOIN organizations o ON o.id = c.organization_id WHERE o.path >= '%s' AND o.path < '%s~' ORDER BY c.id LIMIT 20;\n" "$spath" "$spath" >"$work/b.sql"
    printf "SELECT b.id, x.id FROM (SELECT id FROM organizations WHERE parent_id = %s ORDER BY id LIMIT 20) b CROSS JOIN LATERAL (SELECT id FROM candidates WHERE organization_id = b.id ORDER BY id LIMIT 20) x;\n" "$sid" >"$work/c.sql"
    printf "SELECT c.stage, p.gender, p.education, count(*) FROM candidates c JOIN people p ON p.id = c.person_id WHERE c.applied_on >= '2025-01-01' AND c.applied_on < '2026-01-01' GROUP BY GROUPING SETS ((), (c.stage), (p.gender), (p.education));\n" >"$work/d.sql"
    printf "SELECT d.id, count(c.id) FROM organizations d JOIN organizations o ON o.path >= d.path AND o.path < d.path || '~' JOIN candidates c ON c.organization_id = o.id WHERE d.kind = 'COUNTY_ORGANIZATION_DEPARTMENT' GROUP BY d.id ORDER BY d.id LIMIT 100;\n" >"$work/e.sql"
    for op in a b c d e; do floor "$op" "$work/$op.sql"; done
  fi
  echo
  echo "### $label — $ORGS organizations, $CANDIDATES candidates (seeded in ${seed_s} s), $CONNECTIONS connections, ${DURATION} s per operation, peak RSS $rss"
  echo
  echo "| operation | req/s | p50 | p99 | SQL statements / request | non-2xx | floor req/s | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  while IFS='|' read -r name rps p50 p99 per non2xx; do
    local key=${name%%.*} f=""
    f=$(awk -F'|' -v k="$key" '$1==k {print $2}' "$work/floor.txt")
    local ratio=""
    [ -n "$f" ] && [ -n "$rps" ] && ratio=$(awk -v a="$rps" -v b="$f" 'BEGIN {if (b>0) printf "%.2f×", a/b}')
    echo "| $name | $rps | $p50 | $p99 | $per | $non2xx | ${f:-} | $ratio |"
  done <"$work/results.txt"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%F)"
if [ "${PG:-1}" = 1 ]; then
  if [ "${SKIP_SEED:-0}" != 1 ]; then
    psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS fazhan_bench" -qc "CREATE DATABASE fazhan_bench" >/dev/null 2>&1
  fi
  # Loopback: no TLS (libpq and sqlx would otherwise negotiate it), for the service and the floor.
  bench_db "PostgreSQL" "$PGURL/fazhan_bench?sslmode=disable"
fi
if [ "$SQLITE" = 1 ]; then
  bench_db "SQLite" "sqlite://$work/bench.db?mode=rwc"
fi
