#!/usr/bin/env bash
# One entry point for a fresh machine with nothing but Python 3.11.
#   ./dev.sh run    set up, migrate, seed the demo if empty, serve on 127.0.0.1:8000
#   ./dev.sh test   set up and run the whole test suite
#   ./dev.sh setup  only create .venv and install requirements
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

setup() {
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  # Reinstall only when requirements.txt changed since the last install.
  local stamp=.venv/.requirements.sha256
  local want
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.txt
    echo "$want" > "$stamp"
  fi
}

case "${1:-}" in
  setup)
    setup
    ;;
  run)
    setup
    .venv/bin/python manage.py migrate --noinput -v0
    seeded=$(.venv/bin/python manage.py seed_demo --if-empty --enterprises "${DEMO_ENTERPRISES:-2000}")
    echo "$seeded"
    case "$seeded" in
      *演示数据已生成*) .venv/bin/python manage.py compute_stats --history 12 ;;
    esac
    echo "请访问 http://127.0.0.1:8000/"
    exec .venv/bin/python manage.py runserver 127.0.0.1:8000
    ;;
  test)
    setup
    shift
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: ./dev.sh run | test [pytest args] | setup" >&2
    exit 2
    ;;
esac
