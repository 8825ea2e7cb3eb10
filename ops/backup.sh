#!/usr/bin/env bash
# Back up the database (pg_dump, custom format) and the uploaded files.
#
#   DATABASE_URL=postgres://user@host:5432/dbname MEDIA_ROOT=/srv/dangjian/media \
#       ops/backup.sh /backups/dangjian
#
# Writes DEST/YYYYmmdd-HHMMSS/{db.dump,media.tar.gz,SHA256SUMS} and prints that
# directory. The encryption keys (FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY) are
# NOT in the backup on purpose: keep them apart (a sealed envelope, a vault).
# Without them a restored database has every ID number and phone unreadable.
set -euo pipefail

dest_root=${1:?"usage: ops/backup.sh DEST_DIR"}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
media_root=${MEDIA_ROOT:-"$(cd "$(dirname "$0")/.." && pwd)/media"}

stamp=$(date +%Y%m%d-%H%M%S)
dest="$dest_root/$stamp"
mkdir -p "$dest"
umask 077

# Custom format: compressed, restorable table by table, and pg_restore checks it.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$dest/db.dump"

if [ -d "$media_root" ]; then
    tar -C "$media_root" -czf "$dest/media.tar.gz" .
else
    tar -czf "$dest/media.tar.gz" --files-from /dev/null
fi

(cd "$dest" && sha256sum db.dump media.tar.gz > SHA256SUMS)
echo "$dest"
