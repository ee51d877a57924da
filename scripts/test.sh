#!/usr/bin/env bash
# The whole suite. Run by `make test` (and so by CI).
#  - no DATABASE_URL: SQLite, then PostgreSQL when CLIENTFOCUS_TEST_POSTGRES=required (CI) or
#    when a server answers on 127.0.0.1:5432;
#  - DATABASE_URL set: that database only.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=clientfocus.config.settings
export CLIENTFOCUS_VAR="${CLIENTFOCUS_VAR:-$PWD/var/test}"
PG_URL_DEFAULT="postgres://postgres@127.0.0.1:5432/postgres"

echo "== lint: ruff, import contracts"
$BIN/ruff check .
$BIN/lint-imports

echo "== migrations are complete (makemigrations --check)"
$BIN/clientfocus manage makemigrations --check --dry-run

run_suite() {
  local label=$1
  echo "== tests on $label"
  set +e
  $BIN/pytest "${@:2}"
  local rc=$?
  set -e
  if [ $rc -ne 0 ]; then echo "tests failed on $label"; exit $rc; fi
}

if [ -n "${DATABASE_URL:-}" ]; then
  run_suite "$(echo "$DATABASE_URL" | sed -E 's#//[^@/]*@#//#; s#\?.*##')"
  exit 0
fi

run_suite "SQLite"

pg_up() { $BIN/python - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", 5432))
except OSError:
    sys.exit(1)
PY
}

if [ "${CLIENTFOCUS_TEST_POSTGRES:-}" = "required" ] || pg_up; then
  if ! pg_up; then
    echo "PostgreSQL is required (CLIENTFOCUS_TEST_POSTGRES=required) but nothing answers on 127.0.0.1:5432"
    exit 1
  fi
  DATABASE_URL="${TEST_DATABASE_URL:-$PG_URL_DEFAULT}" run_suite "PostgreSQL"
else
  echo "== PostgreSQL: no server on 127.0.0.1:5432, suite ran on SQLite only (CI runs both)"
fi
