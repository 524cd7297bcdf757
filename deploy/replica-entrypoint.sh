#!/bin/sh
# A streaming replica: cloned from the primary on first start, then following it.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h primary -U postgres; do sleep 1; done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h primary -U replicator -D "$PGDATA" -R -X stream -P
  chmod 700 "$PGDATA"
fi
exec docker-entrypoint.sh postgres
