#!/usr/bin/env bash
# Runs the graphql-http audit suite (GraphQL-over-HTTP spec) against a freshly started server on
# an embedded database. Fails if any MUST fails; prints SHOULD/MAY findings.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${AUDIT_PORT:-18089}
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --quiet --bin fazhan
FAZHAN_DATA_DIR="$work/data" BIND_ADDR="127.0.0.1:$port" FAZHAN_ADMIN_PASSWORD=audit-password-1 \
  RUST_LOG=warn target/debug/fazhan serve >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done

(cd "$work" && npm install --silent --no-audit --no-fund graphql-http@1 graphql@16 >/dev/null)
cat >"$work/audit.mjs" <<'JS'
import { auditServer } from 'graphql-http';
const results = await auditServer({ url: process.argv[2] });
let failed = 0;
const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
for (const r of results) {
  counts[r.status]++;
  if (r.status === 'error') failed++;
  if (r.status !== 'ok') console.log(`${r.status.toUpperCase()}: ${r.name}${r.reason ? ' — ' + r.reason : ''}`);
}
console.log(`graphql-http audit: ${counts.ok} ok, ${counts.warn} warn, ${counts.notice} notice, ${counts.error} error (MUST failures)`);
process.exit(failed ? 1 : 0);
JS
node "$work/audit.mjs" "http://127.0.0.1:$port/graphql"
