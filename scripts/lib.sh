#!/usr/bin/env bash
# Shared helpers for the bootstrap scripts. Source it: . "$(dirname "$0")/lib.sh"
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${COORDINATOR_DATA_DIR:-$REPO_ROOT/.data}"
TOOLS_DIR="$REPO_ROOT/.data/tools"

step()  { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
info()  { printf '    %s\n' "$*"; }
warn()  { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()   { printf '\033[1;31merror:\033[0m %s\n' "$1" >&2; [ $# -gt 1 ] && printf '       what to do: %s\n' "$2" >&2; exit 1; }

# Runs apt-get with an update first (once per script run); needs root.
APT_UPDATED=0
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "installing $* needs root" "run this script as root, or install the packages yourself: apt-get install $*"
  if [ "$APT_UPDATED" -eq 0 ]; then
    info "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed" "check the machine's access to the Debian package mirror"
    APT_UPDATED=1
  fi
  info "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed" "run 'apt-get install $*' by hand to see why"
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK is not on PATH" "install the .NET 10 SDK (https://dot.net) and open a new shell"
  local major
  major="$(dotnet --version 2>/dev/null | cut -d. -f1)"
  [ "${major:-0}" -ge 10 ] || die "the .NET SDK is version $(dotnet --version), Coordinator needs 10 or later" "install the .NET 10 SDK"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

ensure_node() {
  command -v node >/dev/null 2>&1 || die "Node.js is not on PATH (needed for the Azurite storage emulator)" "install Node.js 20 or later"
  command -v npm >/dev/null 2>&1 || die "npm is not on PATH" "install npm alongside Node.js"
}

# Waits until a TCP port accepts connections: wait_for_port HOST PORT SECONDS WHAT
wait_for_port() {
  local host="$1" port="$2" seconds="$3" what="$4" i
  for ((i = 0; i < seconds * 10; i++)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$what did not start listening on $host:$port within ${seconds}s" "look at the log it printed above, or free the port"
}
