#!/usr/bin/env bash
# PostgreSQL for Coordinator on Debian 12: pgvector install and a project-local development cluster.
#
#   scripts/postgres.sh install   build and install pgvector from Debian's source package (root)
#   scripts/postgres.sh start     initdb (first time) + start the cluster, create database and roles
#   scripts/postgres.sh stop      stop the cluster
#   scripts/postgres.sh status    show whether it runs and how to connect
#
# Idempotent: every step checks whether it is already done. Environment overrides:
#   PG_BIN              PostgreSQL binaries        (default /usr/lib/postgresql/15/bin)
#   COORDINATOR_PG_PORT port of the local cluster  (default 5433)
#   COORDINATOR_PG_DATA data folder                (default <repo>/.data/postgres)
#   COORDINATOR_PG_USER OS user owning the cluster when run as root (default postgres)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_CONFIG="$PG_BIN/pg_config"
PORT="${COORDINATOR_PG_PORT:-5433}"
DATA_DIR="${COORDINATOR_PG_DATA:-$REPO_ROOT/.data/postgres}"
DATA_PARENT="$(dirname "$DATA_DIR")"
CREDENTIALS_FILE="$DATA_PARENT/postgres.env"
LOG_FILE="$DATA_PARENT/postgres.log"
DATABASE="coordinator"
OWNER_ROLE="coordinator_owner"
APP_ROLE="coordinator_app"
AUDITOR_ROLE="coordinator_auditor"
TRIXIE_SOURCES="/etc/apt/sources.list.d/coordinator-trixie-src.sources"

say() { printf '==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_pg_binaries() {
  [[ -x "$PG_BIN/initdb" && -x "$PG_CONFIG" ]] ||
    fail "PostgreSQL 15 binaries not found in $PG_BIN. Install them with 'apt-get install -y postgresql-15' or set PG_BIN to the folder holding initdb and pg_config."
}

extension_dir() { echo "$("$PG_CONFIG" --sharedir)/extension"; }
pgvector_installed() { [[ -f "$(extension_dir)/vector.control" ]]; }

# Commands that touch the cluster run as its owner: initdb and postgres refuse to run as root.
if [[ "$(id -u)" == 0 ]]; then
  CLUSTER_USER="${COORDINATOR_PG_USER:-postgres}"
  as_owner() { runuser -u "$CLUSTER_USER" -- "$@"; }
else
  CLUSTER_USER="$(id -un)"
  as_owner() { "$@"; }
fi

cmd_install() {
  require_pg_binaries
  if pgvector_installed; then
    say "pgvector already installed ($(extension_dir)/vector.control); nothing to do."
    return
  fi
  [[ "$(id -u)" == 0 ]] || fail "installing pgvector needs root (apt-get, make install). Run: sudo $0 install"
  say "pgvector is not packaged for Debian 12; building it from Debian trixie's source package."
  if [[ ! -f "$TRIXIE_SOURCES" ]]; then
    say "adding deb-src entry for Debian trixie: $TRIXIE_SOURCES"
    cat >"$TRIXIE_SOURCES" <<'EOF'
# Added by Coordinator scripts/postgres.sh: source packages only (pgvector is built from source).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  say "apt-get update"
  apt-get update -qq || fail "apt-get update failed; check network access to deb.debian.org and $TRIXIE_SOURCES."
  say "apt-get install -y postgresql-server-dev-15 build-essential dpkg-dev"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-server-dev-15 build-essential dpkg-dev >/dev/null ||
    fail "installing the build dependencies failed; run 'apt-get install -y postgresql-server-dev-15 build-essential dpkg-dev' to see why."
  local build_dir
  build_dir="$(mktemp -d)"
  trap 'rm -rf "$build_dir"; trap - RETURN' RETURN
  say "apt-get source pgvector (in $build_dir)"
  (cd "$build_dir" && apt-get source -qq pgvector >/dev/null 2>&1) ||
    fail "apt-get source pgvector failed; check that $TRIXIE_SOURCES is listed by 'apt-get update'."
  local src
  src="$(find "$build_dir" -maxdepth 1 -mindepth 1 -type d -name 'pgvector-*' | head -n1)"
  [[ -n "$src" ]] || fail "apt-get source pgvector produced no pgvector-* folder in $build_dir."
  say "make && make install in $src (PG_CONFIG=$PG_CONFIG)"
  make -s -C "$src" PG_CONFIG="$PG_CONFIG" >/dev/null || fail "building pgvector failed; run 'make -C $src PG_CONFIG=$PG_CONFIG' to see the compiler output."
  make -s -C "$src" PG_CONFIG="$PG_CONFIG" install >/dev/null || fail "make install of pgvector failed."
  pgvector_installed || fail "pgvector built but $(extension_dir)/vector.control is missing."
  say "pgvector installed: $(grep default_version "$(extension_dir)/vector.control")"
}

psql_super() { PGOPTIONS="-c client_min_messages=warning" as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DATA_DIR" -p "$PORT" -U postgres "$@"; }

is_running() { [[ -f "$DATA_DIR/postmaster.pid" ]] && as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; }

random_password() { head -c 18 /dev/urandom | base64 | tr -d '/+=' ; }

ensure_credentials() {
  if [[ ! -f "$CREDENTIALS_FILE" ]]; then
    say "generating role passwords into $CREDENTIALS_FILE"
    local owner_pw app_pw auditor_pw
    owner_pw="$(random_password)"; app_pw="$(random_password)"; auditor_pw="$(random_password)"
    umask 077
    cat >"$CREDENTIALS_FILE" <<EOF
# Coordinator local PostgreSQL (scripts/postgres.sh). Load with: source $CREDENTIALS_FILE
COORDINATOR_OWNER_PASSWORD='$owner_pw'
COORDINATOR_APP_PASSWORD='$app_pw'
COORDINATOR_AUDITOR_PASSWORD='$auditor_pw'
# The application (INSERT + SELECT on audit_log):
export ConnectionStrings__Coordinator='Host=127.0.0.1;Port=$PORT;Database=$DATABASE;Username=$APP_ROLE;Password=$app_pw'
# Migrations (coordinator db migrate --connection "\$COORDINATOR_OWNER_CONNECTION"), benchmarks:
export COORDINATOR_OWNER_CONNECTION='Host=127.0.0.1;Port=$PORT;Database=$DATABASE;Username=$OWNER_ROLE;Password=$owner_pw'
# Compliance officers (read-only):
export COORDINATOR_AUDITOR_CONNECTION='Host=127.0.0.1;Port=$PORT;Database=$DATABASE;Username=$AUDITOR_ROLE;Password=$auditor_pw'
EOF
  fi
  # shellcheck disable=SC1090
  source "$CREDENTIALS_FILE"
}

cmd_start() {
  require_pg_binaries
  pgvector_installed || fail "pgvector is not installed (no $(extension_dir)/vector.control). Run: $0 install"
  id "$CLUSTER_USER" >/dev/null 2>&1 || fail "OS user '$CLUSTER_USER' does not exist; create it or set COORDINATOR_PG_USER to a non-root user."
  mkdir -p "$DATA_PARENT"
  if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    say "initdb $DATA_DIR (owner: OS user $CLUSTER_USER, superuser role postgres)"
    mkdir -p "$DATA_DIR"
    chown "$CLUSTER_USER" "$DATA_DIR"
    chmod 700 "$DATA_DIR"
    as_owner "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null || fail "initdb failed; remove $DATA_DIR if it is half-written and retry."
    # Local socket: the superuser 'postgres' for the owning OS user (peer), roles with passwords otherwise.
    cat >"$DATA_DIR/pg_hba.conf" <<EOF
local all postgres                  trust
local all all                       scram-sha-256
host  all all      127.0.0.1/32     scram-sha-256
host  all all      ::1/128          scram-sha-256
EOF
  else
    say "cluster already initialised in $DATA_DIR"
  fi
  touch "$LOG_FILE"; chown "$CLUSTER_USER" "$LOG_FILE"
  if is_running; then
    say "cluster already running on port $PORT"
  else
    say "starting PostgreSQL on 127.0.0.1:$PORT (socket in $DATA_DIR, log $LOG_FILE)"
    as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$DATA_DIR'" start >/dev/null ||
      fail "PostgreSQL did not start; see $LOG_FILE (is port $PORT taken? set COORDINATOR_PG_PORT)."
  fi
  ensure_credentials
  say "ensuring roles $OWNER_ROLE, $APP_ROLE, $AUDITOR_ROLE and database $DATABASE"
  psql_super -d postgres \
    -v owner="$OWNER_ROLE" -v app="$APP_ROLE" -v auditor="$AUDITOR_ROLE" \
    -v owner_pw="$COORDINATOR_OWNER_PASSWORD" -v app_pw="$COORDINATOR_APP_PASSWORD" -v auditor_pw="$COORDINATOR_AUDITOR_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY[:'owner', :'app', :'auditor']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB CREATEROLE PASSWORD %L', :'owner', :'owner_pw') \gexec
SELECT format('ALTER ROLE %I LOGIN NOCREATEDB NOCREATEROLE PASSWORD %L', :'app', :'app_pw') \gexec
SELECT format('ALTER ROLE %I LOGIN NOCREATEDB NOCREATEROLE PASSWORD %L', :'auditor', :'auditor_pw') \gexec
SQL
  if [[ "$(psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]]; then
    psql_super -d postgres -c "CREATE DATABASE $DATABASE OWNER $OWNER_ROLE"
  fi
  # pgvector is not a trusted extension: the superuser creates it, migrations then find it in place.
  psql_super -d "$DATABASE" -c "CREATE EXTENSION IF NOT EXISTS vector" \
    -c "REVOKE ALL ON DATABASE $DATABASE FROM PUBLIC" \
    -c "GRANT CONNECT ON DATABASE $DATABASE TO $APP_ROLE, $AUDITOR_ROLE" \
    -c "ALTER SCHEMA public OWNER TO $OWNER_ROLE"
  print_connection
}

print_connection() {
  say "PostgreSQL is running. Connection strings (also in $CREDENTIALS_FILE; load with: source $CREDENTIALS_FILE):"
  echo "  application: $ConnectionStrings__Coordinator"
  echo "  owner:       $COORDINATOR_OWNER_CONNECTION"
  echo "  auditor:     $COORDINATOR_AUDITOR_CONNECTION"
  echo "  superuser:   Host=$DATA_DIR;Port=$PORT;Username=postgres (local socket, root or $CLUSTER_USER only)"
  echo "Next: create the schema with"
  echo "  dotnet run --project src/Coordinator.Cli -- db migrate --connection \"\$COORDINATOR_OWNER_CONNECTION\""
}

cmd_stop() {
  if is_running; then
    say "stopping PostgreSQL in $DATA_DIR"
    as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null
  else
    say "cluster in $DATA_DIR is not running; nothing to do."
  fi
}

cmd_status() {
  if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    say "no cluster in $DATA_DIR. Run: $0 start"
    return 3
  fi
  if is_running; then
    say "running on port $PORT (data $DATA_DIR)"
    if [[ -f "$CREDENTIALS_FILE" ]]; then
      # shellcheck disable=SC1090
      source "$CREDENTIALS_FILE"
      print_connection
    fi
  else
    say "stopped (data $DATA_DIR). Run: $0 start"
    return 3
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 install|start|stop|status" >&2
    exit 2
    ;;
esac
