#!/usr/bin/env bash
# The main job. For now: validate the sample workflows and simulate each one against its
# scenarios on a virtual clock (weeks in milliseconds). Later: start the coordinator service.
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

step "Checking the .NET SDK"
ensure_dotnet
info "dotnet $(dotnet --version)"

step "Building the coordinator tool"
dotnet build src/Coordinator.Cli -c Release -nologo -clp:ErrorsOnly -v q \
  || die "the build failed" "read the compiler errors above"
coordinator() { dotnet "$REPO_ROOT/src/Coordinator.Cli/bin/Release/net10.0/coordinator.dll" "$@"; }

step "Validating workflow-definitions/"
coordinator validate workflow-definitions/ \
  || die "a workflow definition has errors" "fix the file(s) at the line and column shown above, then rerun"

shopt -s nullglob
for scenario in workflow-definitions/scenarios/*.yaml; do
  name="$(basename "$scenario")"
  definition="workflow-definitions/${name%%.*}.yaml"
  [ -f "$definition" ] || { warn "no definition $definition for scenario $scenario; skipped"; continue; }
  step "Simulating $definition with scenario $scenario"
  coordinator simulate "$definition" --scenario "$scenario" --format text
done
