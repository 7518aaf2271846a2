#!/usr/bin/env bash
# The main job: validate the sample workflows, show a simulated six-week onboarding (reminders,
# escalation, a block turned into a decision) on a virtual clock, then run the coordinator for
# real — `coordinator serve` on the Durable Azure Storage backend (Azurite) with the PostgreSQL
# audit registry — until Ctrl+C. Installs and starts what it needs, idempotently.
#   COORDINATOR_TIME_SCALE  how much faster workflow time runs in serve (default 3600: an hour a second)
#   COORDINATOR_URLS        where the API listens (default http://localhost:7071)
#   COORDINATOR_NO_SERVE=1  stop after the simulation
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

step "Checking the .NET SDK"
ensure_dotnet
info "dotnet $(dotnet --version)"

step "Building the coordinator tool (Release)"
dotnet build src/Coordinator.Cli -c Release -nologo -clp:ErrorsOnly -v q \
  || die "the build failed" "read the compiler errors above"
coordinator() { dotnet "$REPO_ROOT/src/Coordinator.Cli/bin/Release/net10.0/coordinator.dll" "$@"; }

step "Validating workflow-definitions/"
coordinator validate workflow-definitions/ \
  || die "a workflow definition has errors" "fix the file(s) at the line and column shown above, then rerun"

step "Simulating the six-week B2B onboarding (virtual clock)"
coordinator simulate workflow-definitions/b2b-onboarding.yaml \
  --scenario workflow-definitions/scenarios/b2b-onboarding.happy-path.yaml --format text

[ "${COORDINATOR_NO_SERVE:-0}" = "1" ] && exit 0

step "PostgreSQL with pgvector (audit registry)"
"$REPO_ROOT/scripts/postgres.sh" install
"$REPO_ROOT/scripts/postgres.sh" start
# shellcheck disable=SC1091
. "$DATA_DIR/postgres.env"
export ConnectionStrings__CoordinatorMigrations="$COORDINATOR_OWNER_CONNECTION"
export Coordinator__Audit__AnchorPath="$DATA_DIR/audit-anchors"

step "Azurite (Durable Task storage)"
"$REPO_ROOT/scripts/azurite.sh" start

urls="${COORDINATOR_URLS:-http://localhost:7071}"
cat <<MSG

Starting the coordinator. When it prints its ready line, open $urls/ (the web inbox): start an
instance with the form on its welcome page, then play each role. Or start one from another shell:

  curl -s -X POST $urls/api/workflows/b2b-onboarding/instances \\
       -H "x-coordinator-key: \$(cat .data/coordinator/api-key)" -H 'content-type: application/json' \\
       -d '{"businessKey":"D-1001","context":{"deal_id":"D-1001","deal_owner":"sales.rep","segment":"enterprise"}}'

and follow it in the inbox or with GET $urls/api/instances/b2b-onboarding.D-1001.
The audit rows: GET $urls/api/audit?businessKey=D-1001 or psql "\$COORDINATOR_AUDITOR_CONNECTION" (see README, "For auditors").

MSG
exec dotnet "$REPO_ROOT/src/Coordinator.Cli/bin/Release/net10.0/coordinator.dll" serve \
  --urls "$urls" --time-scale "${COORDINATOR_TIME_SCALE:-3600}" --definitions workflow-definitions
