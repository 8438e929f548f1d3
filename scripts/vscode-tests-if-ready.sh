#!/usr/bin/env bash
# Part of `npm test`: runs the extension's tests in the real VS Code extension host when the harness is installed
# (tools/vscode-harness/setup.sh, once, ≈3 min; .ci/run does it), and says how to enable them otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
DEPS="${VSCODE_HARNESS_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/vscode-harness}"
if [ -f "$DEPS/cs/.installed" ] && [ -x "$DEPS/node24/node_modules/node/bin/node" ] && command -v chromium >/dev/null; then
  exec bash tools/vscode-harness/test.sh
fi
echo "VS Code extension-host tests skipped: the harness is not installed. Run 'bash tools/vscode-harness/setup.sh' once (about 3 minutes) to include them in npm test."
