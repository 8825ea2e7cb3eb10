#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into an EMPTY database and media folder.
#
#   DATABASE_URL=postgres://user@host:5432/new_db MEDIA_ROOT=/srv/dangjian/media \
#       ops/restore.sh /backups/dangjian/20261123-020000
#
# Refuses a database that already has tables, so a restore never mixes with
# live data. Run with the same FIELD_ENCRYPTION_KEYS / BLIND_INDEX_KEY as the
# system that made the backup.
set -euo pipefail

src=${1:?"usage: ops/restore.sh BACKUP_DIR"}
: "${DATABASE_URL:?DATABASE_URL must point at the (empty) target database}"
media_root=${MEDIA_ROOT:-"$(cd "$(dirname "$0")/.." && pwd)/media"}

(cd "$src" && sha256sum --check --quiet SHA256SUMS)

tables=$(psql "$DATABASE_URL" -tAc "select count(*) from information_schema.tables where table_schema = 'public'")
if [ "$tables" != "0" ]; then
    echo "restore.sh: the target database already has $tables tables; restore into an empty database" >&2
    exit 1
fi

# One transaction: a restore that fails half-way leaves the database empty.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$src/db.dump"

mkdir -p "$media_root"
tar -C "$media_root" -xzf "$src/media.tar.gz"
echo "restored $src"
