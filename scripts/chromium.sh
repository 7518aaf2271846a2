#!/usr/bin/env bash
# Headless Chromium for the web inbox's browser tests (Playwright for .NET drives /usr/bin/chromium;
# the tests never run `playwright install`). Idempotent: installs the Debian package `chromium`
# only when /usr/bin/chromium is missing.
. "$(dirname "$0")/lib.sh"

if [ -x /usr/bin/chromium ]; then
  info "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
apt_install chromium
[ -x /usr/bin/chromium ] || die "the chromium package installed but /usr/bin/chromium is missing" "run 'apt-get install --reinstall chromium' and check its output"
info "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
