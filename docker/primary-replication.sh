#!/bin/sh
# Run once by the postgres image when it initialises the primary (docker-compose.yml mounts it in
# /docker-entrypoint-initdb.d): a role that may stream WAL, and the pg_hba line letting it in from
# the compose network (the image's own lines do not cover replication connections).
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$REPLICATION_PASSWORD'"
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
