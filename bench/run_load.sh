#!/usr/bin/env bash
# Load benchmark: gunicorn (2 workers) on PostgreSQL with a seeded city of
# 100,000 enterprises; Locust headless, 50 users for 2 minutes. Users arrive
# one per second (RAMP): each login costs a PBKDF2 hash of most of a CPU
# second, and fifty at once only measures that queue.
#
#   bench/run_load.sh            # uses database pb_load (seed it first, see below)
#   LOAD_DB=pb_x bench/run_load.sh
#   SEED=1 bench/run_load.sh     # create and seed the database first (~5 minutes)
#
# Needs: pip install -r bench/requirements.txt (Locust). Prints a table of
# p50/p95/requests per second per request kind, the baseline rows beside
# the application rows, and the error count. Output files go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python}
LOAD_DB=${LOAD_DB:-pb_load}
PG=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-8765}
USERS=${USERS:-50}
DURATION=${DURATION:-2m}
export DATABASE_URL="$PG/$LOAD_DB"
export STATIC_ROOT=${STATIC_ROOT:-"$PWD/bench/out/static"}
export CONN_MAX_AGE=60
mkdir -p bench/out

if [ "${SEED:-0}" = "1" ]; then
    createdb -h 127.0.0.1 -U postgres "$LOAD_DB" 2>/dev/null || true
    $PY manage.py migrate -v0
    $PY manage.py seed_demo --enterprises 100000
fi
$PY manage.py migrate -v0
$PY manage.py collectstatic --noinput -v0
# Fresh planner statistics, as autovacuum keeps them in a running system
# (right after a bulk seed they are missing and plans are wrong).
psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
n=$($PY manage.py shell --no-imports -c "from orgs.models import Enterprise; print(Enterprise.objects.count())")
echo "database $LOAD_DB: $n enterprises"

$PY -m gunicorn config.wsgi:application --workers 2 --bind "127.0.0.1:$PORT" \
    --access-logfile /dev/null --error-logfile bench/out/gunicorn.log &
gunicorn_pid=$!
trap 'kill $gunicorn_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/accounts/login/" >/dev/null && break
    sleep 0.5
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
$PY -m locust -f bench/locustfile.py --headless -u "$USERS" -r "${RAMP:-1}" -t "$DURATION" \
    --host "http://127.0.0.1:$PORT" --csv bench/out/load --only-summary >bench/out/locust.log 2>&1 || true

echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
$PY bench/summarize_load.py bench/out/load_stats.csv bench/out/load_failures.csv
