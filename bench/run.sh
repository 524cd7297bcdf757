#!/usr/bin/env bash
# The province benchmark: seeds the province set, starts the release build, drives it with wrk
# at 16 connections, and prints per database: a table of the operations (req/s, p50, p99, SQL
# statements per request, the floor — PostgreSQL alone via pgbench, measured right after the
# operation with the service idle — with the ratio and a verdict per target), the mixed load (64 connections, 60 s), the file imports (rows/s and
# memory growth) and peak RSS for reads and for the whole run.
#   ORGS=19862 CANDIDATES=1000000 DURATION=10 CONNECTIONS=16 MIXED_CONNECTIONS=64 MIXED_DURATION=60
#   IMPORT_ROWS=100000 A_SAMPLES=3 PG=1 SQLITE=1 SKIP_SEED=0 BIN= bench/run.sh
# Op a (its target is a ratio to the floor) is measured as A_SAMPLES alternating pairs (the
# service, then the floor right after); every pair is printed, and the verdict is read on the
# pair with the median ratio and the worst p99 of all pairs.
set -Eeuo pipefail
trap 'echo "bench/run.sh stopped at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
ORGS=${ORGS:-19862}
CANDIDATES=${CANDIDATES:-1000000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
SQLITE=${SQLITE:-1}
MIXED_CONNECTIONS=${MIXED_CONNECTIONS:-64}
MIXED_DURATION=${MIXED_DURATION:-60}
IMPORT_ROWS=${IMPORT_ROWS:-100000}
A_SAMPLES=${A_SAMPLES:-3}
PORT=${PORT:-18090}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; cp "$work/server.log" /tmp/fazhan-bench-server.log 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
command -v pgbench >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib >/dev/null; }
python3 -c "import xlsxwriter" 2>/dev/null || pip install -q xlsxwriter >/dev/null 2>&1
# BIN=path measures a binary built earlier (say, of another commit) instead of building this checkout.
if [ -n "${BIN:-}" ]; then bin=$BIN; else
  cargo build --release -q --bin fazhan
  bin=target/release/fazhan
fi
export JWT_SECRET=bench-secret-bench-secret-bench-secret FAZHAN_ADMIN_PASSWORD=bench-admin-pass RUST_LOG=warn
# The imports check millions of ID numbers for duplicates in one run.
export DUPLICATE_CHECK_NUMBERS_PER_HOUR=100000000

sqlite_file() { local f=${1#sqlite://}; echo "${f%%\?*}"; }
gid() { printf '%s:%s' "$1" "$2" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
gql() { curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d "$1"; }
stmts() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^fazhan_sql_statements_total/ {print $2}'; }
# Responses whose GraphQL result carried errors, as the service counts them.
failed() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^fazhan_graphql_requests_total\{.*outcome="error"/ {n += $2} END {print n + 0}'; }
hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || { echo "the server (pid $1) is gone; its log ends:" >&2; tail -20 "$work/server.log" >&2; echo 0; }; }
verify() { "$bin" counts verify 2>&1 | tail -1 || true; }
start_server() {
  BIND_ADDR=127.0.0.1:$PORT "$bin" serve >>"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
}
login() { # username password -> token
  local body
  body=$(printf '{"query":"mutation { login(input:{username:\\"%s\\", password:\\"%s\\"}) { token } }"}' "$1" "$2")
  curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -d "$body" | sed 's/.*"token":"\([^"]*\)".*/\1/'
}

run_op() { # name body-json [ids-file]
  local name=$1 body=$2 ids=${3:-}
  printf '%s' "$body" >"$work/body.json"
  local key=${name%%.*}; key=${key%%[0-9]*}
  printf '%s' "$body" >"$work/$key.json"
  local s0 e0; s0=$(stmts); e0=$(failed)
  BODY_FILE="$work/body.json" IDS_FILE="$ids" TOKEN="$TOKEN" \
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/post.lua "http://127.0.0.1:$PORT/graphql" >"$work/wrk.txt" 2>&1 || true
  local s1; s1=$(stmts)
  local rps p50 p99 reqs non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  reqs=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
  local errors; errors=$(( $(failed) - e0 ))
  local per="-"
  [ -n "$reqs" ] && [ "$reqs" -gt 0 ] && per=$(awk -v a="$s0" -v b="$s1" -v r="$reqs" 'BEGIN {printf "%.1f", (b-a)/r}')
  echo "$name|$rps|$p50|$p99|$per|${non2xx:-0}/${errors:-?}|$(hwm "$pid")" >>"$work/results.txt"
}

floor_of() { # op: its floor, on PostgreSQL
  if [[ $DATABASE_URL == postgres* ]]; then floor "$1" "$work/$1.sql"; fi
}
floor() { # name sql-file -> tps
  local out
  out=$(pgbench -n -c"$CONNECTIONS" -j2 -T"$DURATION" -M prepared -f "$2" "$DBURL" 2>/dev/null | awk '/^tps/ {print $3; exit}')
  echo "$1|${out:-}" >>"$work/floor.txt"
}
to_ms() { # wrk's latency (850.00us, 2.50ms, 1.20s) in ms, for awk
  awk -v p="$1" 'BEGIN { ms = p + 0; if (p ~ /us$/) ms = p/1000; else if (p ~ /s$/ && p !~ /ms$/) ms = p*1000; print ms }'
}
# Op a's summary: the pair with the median ratio (the median rate without a floor), with the
# worst p99 of all pairs; its floor is recorded under "a" for the table.
median_of_a() {
  local rows=() name rps p50 p99 per non2xx rss f key worst=0 worst_p99=""
  while IFS='|' read -r name rps p50 p99 per non2xx rss; do
    key=${name%%.*}
    [[ $key =~ ^a[0-9]+$ ]] || continue
    f=$(awk -F'|' -v k="$key" '$1==k {print $2}' "$work/floor.txt")
    local by; by=$(awk -v a="$rps" -v b="${f:-0}" 'BEGIN {printf "%.6f", (b > 0 ? a/b : a)}')
    rows+=("$by|$rps|$p50|$p99|$per|$non2xx|$rss|${f:-}")
    if awk -v m="$(to_ms "$p99")" -v w="$worst" 'BEGIN {exit !(m > w)}'; then worst=$(to_ms "$p99"); worst_p99=$p99; fi
  done <"$work/results.txt"
  [ ${#rows[@]} -gt 0 ] || return 0
  local mid; mid=$(printf '%s\n' "${rows[@]}" | sort -t'|' -k1,1g | sed -n "$(( (${#rows[@]} + 1) / 2 ))p")
  IFS='|' read -r _ rps p50 p99 per non2xx rss f <<<"$mid"
  echo "a. candidate by id: the median of ${#rows[@]} pairs (p99 the worst of them)|$rps|$p50|$worst_p99|$per|$non2xx|$rss" >>"$work/results.txt"
  [ -n "$f" ] && echo "a|$f" >>"$work/floor.txt"
  return 0
}

bench_db() { # label database-url
  local label=$1 url=$2
  : >"$work/results.txt"; : >"$work/floor.txt"; : >"$work/imports.txt"
  export DATABASE_URL=$url
  local t0; t0=$(date +%s.%N)
  if [ "${SKIP_SEED:-0}" != 1 ]; then "$bin" seed --orgs "$ORGS" --candidates "$CANDIDATES" --seed 42 | tail -1; fi
  local seed_s; seed_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}')
  "$bin" counts verify | tail -1
  # Freshly loaded tables: set hint bits and the visibility map once, as autovacuum would soon.
  if [[ $url == postgres* ]]; then psql "$url" -qc "VACUUM (ANALYZE)"; fi
  "$bin" user create --org 1 --role ORGANIZER --username bench.organizer <<<"bench-organizer-pass" >/dev/null 2>&1 || true
  local city_id
  city_id=$(psql "$url" -Atc "SELECT id FROM organizations WHERE kind='CITY_ORGANIZATION_DEPARTMENT' ORDER BY id LIMIT 1" 2>/dev/null \
    || sqlite3 "$(sqlite_file "$url")" "SELECT id FROM organizations WHERE kind='CITY_ORGANIZATION_DEPARTMENT' ORDER BY id LIMIT 1")
  "$bin" user create --org "$city_id" --role ORGANIZER --username bench.city <<<"bench-city-pass-1" >/dev/null 2>&1 || true
  start_server
  TOKEN=$(login admin bench-admin-pass)
  ORG_TOKEN=$(login bench.organizer bench-organizer-pass)
  local start_rss; start_rss=$(hwm "$pid")
  local cand street district
  cand=$(gid Candidate 4242)
  street=$(gql '{"query":"{ organizations(kind: STREET_WORKING_COMMITTEE, first: 1) { edges { node { id } } } }"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
  # The floor: the same questions answered by PostgreSQL alone, each measured right after its
  # operation (the machine's speed drifts over a run; a ratio compares the same minutes).
  if [[ $url == postgres* ]]; then
    DBURL=$url
    local sid; sid=$(python3 -c "import base64,sys; s=sys.argv[1]; print(base64.urlsafe_b64decode(s+'='*(-len(s)%4)).decode().split(':')[1])" "$street")
    local spath; spath=$(psql "$url" -Atc "SELECT path FROM organizations WHERE id = $sid")
    printf "SELECT c.id, p.name, c.stage FROM candidates c JOIN people p ON p.id = c.person_id WHERE c.id = 4242;\n" >"$work/a.sql"
    printf "SELECT c.id, p.name, c.stage, o.id, o.name FROM candidates c JOIN people p ON p.id = c.person_id JOIN organizations o ON o.id = c.organization_id WHERE o.path >= '%s' AND o.path < '%s~' ORDER BY c.id LIMIT 20;\n" "$spath" "$spath" >"$work/b.sql"
    printf "SELECT b.id, x.id FROM (SELECT id FROM organizations WHERE parent_id = %s ORDER BY id LIMIT 20) b CROSS JOIN LATERAL (SELECT id FROM candidates WHERE organization_id = b.id ORDER BY id LIMIT 20) x;\n" "$sid" >"$work/c.sql"
    printf "SELECT c.stage, p.gender, p.education, count(*) FROM candidates c JOIN people p ON p.id = c.person_id WHERE c.applied_on >= '2025-01-01' AND c.applied_on < '2026-01-01' GROUP BY GROUPING SETS ((), (c.stage), (p.gender), (p.education));\n" >"$work/d.sql"
    printf "SELECT d.id, count(c.id) FROM organizations d JOIN organizations o ON o.path >= d.path AND o.path < d.path || '~' JOIN candidates c ON c.organization_id = o.id WHERE d.kind = 'COUNTY_ORGANIZATION_DEPARTMENT' GROUP BY d.id ORDER BY d.id LIMIT 100;\n" >"$work/e.sql"
  fi
  local k
  for k in $(seq 1 "$A_SAMPLES"); do
    run_op "a$k. candidate by id, pair $k of $A_SAMPLES" "{\"query\":\"query(\$id: ID!) { node(id: \$id) { id ... on Candidate { name stage } } }\",\"variables\":{\"id\":\"$cand\"}}"
    if [[ $url == postgres* ]]; then floor "a$k" "$work/a.sql"; fi
  done
  median_of_a
  run_op "b. page of 20 in a street's subtree, with organization and stage" "{\"query\":\"query(\$u: ID) { candidates(under: \$u, first: 20) { edges { node { id name stage organization { id name } } } } }\",\"variables\":{\"u\":\"$street\"}}"
  floor_of b
  run_op "c. street → 20 branches → 20 candidates each" "{\"query\":\"query(\$u: ID!) { organization(id: \$u) { children(first: 20) { edges { node { name candidates(first: 20) { edges { node { id name stage } } } } } } } }\",\"variables\":{\"u\":\"$street\"}}"
  floor_of c
  run_op "d. province-wide indicators for a year" '{"query":"{ indicators(year: 2025) { admitted applications { total byStage { value count } byGender { value count } byEducation { value count } } } }"}'
  floor_of d
  run_op "e. 100 children with their subtree candidate count" '{"query":"{ organizations(kind: COUNTY_ORGANIZATION_DEPARTMENT, first: 100) { edges { node { id name candidateCount } } } }"}'
  floor_of e
  # h/i: the counts a portal shows on every list page, for a city organizer.
  local saved=$TOKEN
  TOKEN=$(login bench.city bench-city-pass-1)
  echo "(the city organizer's login)||||||$(hwm "$pid")" >>"$work/results.txt"
  run_op "h. city organizer's list of activists with totalCount" '{"query":"{ candidates(stage: ACTIVIST, first: 20) { totalCount edges { node { id name } } } }"}'
  run_op "i. city organizer's unfiltered list with totalCount" '{"query":"{ candidates(first: 20) { totalCount edges { node { id name } } } }"}'
  TOKEN=$saved
  # f. one pipeline step per request: a half-yearly examination on a different activist each time.
  psql "$url" -Atc "SELECT id FROM candidates WHERE stage = 'ACTIVIST' AND version = 1 AND activist_on < '2025-12-01' ORDER BY id LIMIT 60000" 2>/dev/null >"$work/ids.raw" \
    || sqlite3 "$(sqlite_file "$url")" "SELECT id FROM candidates WHERE stage = 'ACTIVIST' AND version = 1 AND activist_on < '2025-12-01' ORDER BY id LIMIT 60000" >"$work/ids.raw" 2>/dev/null || true
  while read -r i; do gid Candidate "${i%%\?*}"; echo; done <"$work/ids.raw" >"$work/ids.all"
  # The first 20,000 for f, the rest for the mixed load (no case is stepped twice).
  head -n 20000 "$work/ids.all" >"$work/ids.txt"; tail -n +20001 "$work/ids.all" >"$work/ids_mixed.txt"
  TOKEN=$ORG_TOKEN
  # One step by hand first, to show it succeeds (its id is then skipped by the run's rotation).
  gql "{\"query\":\"mutation(\$i: RecordPipelineStepInput!) { recordPipelineStep(input: \$i) { candidate { version stage } } }\",\"variables\":{\"i\":{\"candidateId\":\"$(tail -1 "$work/ids.txt")\",\"expectedVersion\":1,\"occurredOn\":\"2026-01-15\",\"step\":{\"activistExamination\":{\"summary\":\"x\"}}}}}" | head -c 300; echo
  sed -i '$d' "$work/ids.txt"
  run_op "f. one pipeline step (counts updated)" '{"query":"mutation($i: RecordPipelineStepInput!) { recordPipelineStep(input: $i) { candidate { version } } }","variables":{"i":{"candidateId":"__ID__","expectedVersion":1,"occurredOn":"2026-01-15","step":{"activistExamination":{"summary":"半年考察"}}}}}' "$work/ids.txt"
  TOKEN=$saved
  # The mixed load: 70 % b/c, 10 % a, 10 % d/e, 10 % f, at 64 connections.
  WORK=$work TOKEN=$TOKEN ORG_TOKEN=$ORG_TOKEN IDS_FILE="$work/ids_mixed.txt" \
    wrk -t2 -c"$MIXED_CONNECTIONS" -d"${MIXED_DURATION}s" --latency -s bench/mixed.lua "http://127.0.0.1:$PORT/graphql" >"$work/mixed.txt" 2>&1 || true
  local reads_rss; reads_rss=$(hwm "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local verify_mixed; verify_mixed=$(verify)
  # The imports, on a fresh process: memory before and after each file.
  start_server
  ORG_TOKEN=$(login bench.organizer bench-organizer-pass)
  local branch
  branch=$(gid Organization "$(psql "$url" -Atc "SELECT id FROM organizations WHERE kind='BRANCH' ORDER BY id LIMIT 1" 2>/dev/null || sqlite3 "$(sqlite_file "$url")" "SELECT id FROM organizations WHERE kind='BRANCH' ORDER BY id LIMIT 1")")
  python3 bench/import_files.py "$work" "$branch" "$IMPORT_ROWS"
  local base; base=$(hwm "$pid")
  echo "baseline (fresh process)|||${base} MB|" >>"$work/imports.txt"
  # g0: the GraphQL mutation, for small batches (1,000 rows).
  local i0 i1 out
  i0=$(date +%s.%N)
  out=$(curl -s "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $ORG_TOKEN" --data-binary @"$work/import.json")
  i1=$(date +%s.%N)
  echo "g0. importCandidates (GraphQL), 1,000 rows|$(awk -v a="$i0" -v b="$i1" 'BEGIN {printf "%.0f", 1000/(b-a)}')|$(awk -v a="$i0" -v b="$i1" 'BEGIN {printf "%.2f s", b-a}')|$(hwm "$pid") MB|$(echo "$out" | head -c 80)" >>"$work/imports.txt"
  for f in "g1. CSV, 10,000 rows:small.csv:text/csv" "g2. CSV, $IMPORT_ROWS rows:large.csv:text/csv" \
           "g3. xlsx, $IMPORT_ROWS rows:large.xlsx:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; do
    IFS=: read -r name file ctype <<<"$f"
    i0=$(date +%s.%N)
    out=$(curl -s "http://127.0.0.1:$PORT/imports/candidates" -H "authorization: Bearer $ORG_TOKEN" -H "content-type: $ctype" --data-binary @"$work/$file")
    i1=$(date +%s.%N)
    local n; n=$(echo "$out" | sed -n 's/.*"imported":\([0-9]*\).*/\1/p')
    echo "$name|$(awk -v a="$i0" -v b="$i1" -v n="${n:-0}" 'BEGIN {printf "%.0f", n/(b-a)}')|$(awk -v a="$i0" -v b="$i1" 'BEGIN {printf "%.2f s", b-a}')|$(hwm "$pid") MB|$(echo "$out" | head -c 80)" >>"$work/imports.txt"
  done
  local import_rss; import_rss=$(hwm "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local verify_end; verify_end=$(verify)
  local peak=$(( reads_rss > import_rss ? reads_rss : import_rss ))
  echo
  echo "### $label — $ORGS organizations, $CANDIDATES candidates (seeded in ${seed_s} s), $CONNECTIONS connections, ${DURATION} s per operation"
  echo
  echo "| operation | req/s | p50 | p99 | SQL statements / request | non-2xx / GraphQL errors | floor req/s | ratio | target | verdict | peak RSS after |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"
  echo "| (started, two logins) | | | | | | | | | | ${start_rss} MB |"
  while IFS='|' read -r name rps p50 p99 per non2xx rss; do
    local key=${name%%.*} f=""
    f=$(awk -F'|' -v k="$key" '$1==k {print $2}' "$work/floor.txt")
    local ratio="" target="" verdict=""
    [ -n "$f" ] && [ -n "$rps" ] && ratio=$(awk -v a="$rps" -v b="$f" 'BEGIN {if (b>0) printf "%.2f×", a/b}')
    case $key in
      a) target="≥ 0.25× floor, p99 ≤ 10 ms"
         verdict=$(awk -v a="$rps" -v b="${f:-0}" -v ms="$(to_ms "$p99")" 'BEGIN { ok = (b > 0 && a/b >= 0.25 && ms <= 10); print (b > 0 ? (ok ? "met" : "missed") : "n/a") }') ;;
      a[0-9]*) target="(one pair)" ;;
      b) target="≥ 900"; verdict=$(awk -v a="$rps" 'BEGIN {print (a >= 900 ? "met" : "missed")}') ;;
      c) target="≥ 800"; verdict=$(awk -v a="$rps" 'BEGIN {print (a >= 800 ? "met" : "missed")}') ;;
      d) target="≥ 500"; verdict=$(awk -v a="$rps" 'BEGIN {print (a >= 500 ? "met" : "missed")}') ;;
      e) target="≥ 500"; verdict=$(awk -v a="$rps" 'BEGIN {print (a >= 500 ? "met" : "missed")}') ;;
      f) target="≥ 500 steps/s"; verdict=$(awk -v a="$rps" 'BEGIN {print (a >= 500 ? "met" : "missed")}') ;;
      h|i) target="p99 ≤ 50 ms"; verdict=$(awk -v p="$p99" 'BEGIN { ms = p + 0; if (p ~ /us$/) ms = p/1000; else if (p ~ /s$/ && p !~ /ms$/) ms = p*1000; print (ms <= 50 ? "met" : "missed") }') ;;
    esac
    echo "| $name | $rps | $p50 | $p99 | $per | $non2xx | ${f:-} | $ratio | $target | $verdict | ${rss} MB |"
  done <"$work/results.txt"
  echo
  local mrps mp50 mp99 merr mnon
  mrps=$(awk '/Requests\/sec/ {print $2}' "$work/mixed.txt")
  mp50=$(awk '$1=="50%" {print $2}' "$work/mixed.txt")
  mp99=$(awk '$1=="99%" {print $2}' "$work/mixed.txt")
  merr=$(awk '$1=="errors" {print $2}' "$work/mixed.txt")
  mnon=$(awk '/Non-2xx/ {print $NF}' "$work/mixed.txt")
  echo "Mixed load (70 % b/c, 10 % a, 10 % d/e, 10 % f), $MIXED_CONNECTIONS connections, ${MIXED_DURATION} s:"
  echo
  echo "| req/s | p50 | p99 | errors | non-2xx | counts verify after | target | verdict |"
  echo "|---:|---:|---:|---:|---:|---|---|---|"
  local mverdict
  mverdict=$(awk -v p="$mp99" -v e="${merr:-1}" -v n="${mnon:-0}" -v v="$verify_mixed" 'BEGIN { ms = p + 0; if (p ~ /us$/) ms = p/1000; else if (p ~ /s$/ && p !~ /ms$/) ms = p*1000; print ((ms <= 100 && e == 0 && n == 0 && v ~ /consistent|clean|0 diff/) ? "met" : "missed") }')
  echo "| $mrps | $mp50 | $mp99 | ${merr:-?} | ${mnon:-0} | $verify_mixed | 0 errors, p99 ≤ 100 ms, verify clean | $mverdict |"
  echo
  echo "File imports (fresh process; RSS is the process's peak so far):"
  echo
  echo "| import | rows/s | time | peak RSS | answer |"
  echo "|---|---:|---:|---:|---|"
  while IFS='|' read -r name rps t rss answer; do echo "| $name | $rps | $t | $rss | \`$answer\` |"; done <"$work/imports.txt"
  local growth=$(( import_rss - base ))
  echo
  echo "Peak RSS: reads (incl. the mixed load) ${reads_rss} MB (target ≤ 48: $([ "$reads_rss" -le 48 ] && echo met || echo missed)); whole run ${peak} MB (target ≤ 64: $([ "$peak" -le 64 ] && echo met || echo missed)); import growth ${growth} MB over the fresh process (target ≤ 16: $([ "$growth" -le 16 ] && echo met || echo missed)); counts verify at the end: $verify_end"
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
