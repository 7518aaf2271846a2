#!/usr/bin/env bash
# The providers' own published clients, used by tests to prove that Coordinator speaks their protocols
# (code written by others, not by us): @slack/bolt (verifySlackRequest), twilio (validateRequest, the REST client),
# botframework-connector (ChannelValidation, ConnectorClient), cloudevents (HTTP.toEvent, validate),
# standardwebhooks (the Standard Webhooks reference library: Webhook.verify), @hubspot/api-client (Signature v3) and openai
# (the official OpenAI client, against the chat endpoint). Installed into
# .data/tools/provider-clients (project-local). Idempotent. Usage: scripts/provider-clients.sh install
. "$(dirname "$0")/lib.sh"

CLIENTS_DIR="$TOOLS_DIR/provider-clients"
PACKAGES=("@slack/bolt@5" "twilio@5" "botframework-connector@4" "cloudevents@10" "standardwebhooks@1" "@hubspot/api-client@14" "openai@7")

install() {
  if [ -f "$CLIENTS_DIR/.installed" ] && [ "$(cat "$CLIENTS_DIR/.installed")" = "${PACKAGES[*]}" ]; then
    info "provider clients already installed (${PACKAGES[*]})"; return
  fi
  ensure_node
  step "Installing the providers' clients (${PACKAGES[*]}) into $CLIENTS_DIR"
  mkdir -p "$CLIENTS_DIR"
  (cd "$CLIENTS_DIR" && { [ -f package.json ] || echo '{"private":true}' > package.json; } \
    && npm install --no-audit --no-fund --loglevel=error "${PACKAGES[@]}" >/dev/null) \
    || die "npm could not install the providers' clients" "check access to the npm registry, then rerun scripts/provider-clients.sh install"
  echo "${PACKAGES[*]}" > "$CLIENTS_DIR/.installed"
}

case "${1:-install}" in
  install) install ;;
  *) die "unknown command '$1'" "usage: scripts/provider-clients.sh install" ;;
esac
