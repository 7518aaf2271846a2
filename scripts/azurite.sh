#!/usr/bin/env bash
# Azurite, the Azure Storage emulator the standalone host's Durable backend runs on locally.
# Usage: scripts/azurite.sh install|start|stop|status
# Installs the npm package `azurite` into .data/tools (project-local), keeps its data in
# .data/azurite, listens on 127.0.0.1:10000-10002. Idempotent.
. "$(dirname "$0")/lib.sh"

AZURITE_DIR="$TOOLS_DIR/azurite"
AZURITE_BIN="$AZURITE_DIR/node_modules/.bin/azurite"
AZURITE_DATA="$DATA_DIR/azurite"
PID_FILE="$AZURITE_DATA/azurite.pid"
LOG_FILE="$AZURITE_DATA/azurite.log"
AZURITE_VERSION="${AZURITE_VERSION:-3}"

install() {
  if [ -x "$AZURITE_BIN" ]; then info "Azurite already installed ($AZURITE_BIN)"; return; fi
  ensure_node
  step "Installing Azurite (npm package azurite@$AZURITE_VERSION) into $AZURITE_DIR"
  mkdir -p "$AZURITE_DIR"
  (cd "$AZURITE_DIR" && npm install --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >/dev/null) \
    || die "npm could not install azurite" "check access to the npm registry, then rerun scripts/azurite.sh install"
}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

start() {
  install
  if running; then info "Azurite already running (pid $(cat "$PID_FILE"))"; return; fi
  if (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
    info "something already listens on 127.0.0.1:10000; assuming it is Azurite"; return
  fi
  step "Starting Azurite (data in $AZURITE_DATA, log in $LOG_FILE)"
  mkdir -p "$AZURITE_DATA"
  nohup "$AZURITE_BIN" --silent --disableTelemetry --skipApiVersionCheck --location "$AZURITE_DATA" \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  wait_for_port 127.0.0.1 10000 30 "Azurite (blob)"
  wait_for_port 127.0.0.1 10001 30 "Azurite (queue)"
  wait_for_port 127.0.0.1 10002 30 "Azurite (table)"
  info "Azurite is up: UseDevelopmentStorage=true"
}

stop() {
  if running; then step "Stopping Azurite"; kill "$(cat "$PID_FILE")"; rm -f "$PID_FILE"; else info "Azurite is not running"; fi
}

status() { if running; then echo "Azurite running (pid $(cat "$PID_FILE"))"; else echo "Azurite not running"; fi; }

case "${1:-start}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "unknown command '$1'" "use: scripts/azurite.sh install|start|stop|status" ;;
esac
