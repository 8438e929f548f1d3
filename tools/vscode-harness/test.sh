#!/usr/bin/env bash
# Runs the extension's integration tests (test/vscode/*.itest.ts, compiled to out/) in the real extension host,
# with the fake language model fixture installed beside it. Needs `npm run build` first and setup.sh once.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p out/vscode-artifacts
export VSCODE_HARNESS_SCREENSHOT="${VSCODE_HARNESS_SCREENSHOT:-$PWD/out/vscode-artifacts/transcript.png}"
export VSCODE_HARNESS_TIMEOUT="${VSCODE_HARNESS_TIMEOUT:-420}"
tools/vscode-harness/vscode \
  --extensionDevelopmentPath="$PWD" \
  --extensionDevelopmentPath="$PWD/test-fixtures/fake-lm" \
  --extensionDevelopmentPath="$PWD/test-fixtures/activation-probe" \
  --extensionTestsPath="$PWD/out/test/vscode/index.js"
# A profile without any language model (no Copilot, no fake model): @aiopslab must still serve /human.
AIOPSLAB_ITEST_SUITE=no-model VSCODE_HARNESS_SCREENSHOT="$PWD/out/vscode-artifacts/no-model.png" exec tools/vscode-harness/vscode \
  --extensionDevelopmentPath="$PWD" \
  --extensionTestsPath="$PWD/out/test/vscode/index.js"
