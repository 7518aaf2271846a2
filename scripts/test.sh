#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine with the .NET 10 SDK, Node.js and the
# PostgreSQL 15 binaries. Installs what the tests need (pgvector, Azurite), idempotently, then
# runs every test project. Extra arguments go to `dotnet test` (e.g. --filter Name~Audit).
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

step "Checking the .NET SDK"
ensure_dotnet
info "dotnet $(dotnet --version)"

step "PostgreSQL with pgvector (the test fixtures start their own throwaway clusters)"
"$REPO_ROOT/scripts/postgres.sh" install

step "Azurite (the Durable backend of the end-to-end tests)"
"$REPO_ROOT/scripts/azurite.sh" install

step "The providers' own clients (tests prove the webhooks speak their protocols)"
"$REPO_ROOT/scripts/provider-clients.sh" install

step "Chromium (the web inbox's browser tests)"
"$REPO_ROOT/scripts/chromium.sh"

step "Building (Release)"
dotnet build Coordinator.sln -c Release -nologo -clp:ErrorsOnly \
  || die "the build failed" "read the compiler errors above; the build is strict (warnings are errors)"

step "Running the tests"
log="$(mktemp)"
set +e
dotnet test Coordinator.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite, summed over the test projects.
awk '/(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { f = $i; gsub(/[,:]/, "", f);
         if (f == "Failed") { v = $(i+1); gsub(/,/, "", v); failed += v }
         if (f == "Passed") { v = $(i+1); gsub(/,/, "", v); passed += v }
         if (f == "Skipped") { v = $(i+1); gsub(/,/, "", v); skipped += v } } }
     END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
rm -f "$log"
[ "$status" -eq 0 ] || die "some tests failed (exit code $status)" "read the failures above; rerun one project with: dotnet test tests/<Project> --filter <TestName>"
