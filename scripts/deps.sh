#!/usr/bin/env bash
# Installs what the build and the tests need, and only what is missing:
# Debian packages through apt (as root, else with sudo), npm test judges into tests/node/,
# Python judges into a project-local venv (tests/python/.venv) from a fully pinned file.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
      zlib1g-dev libzstd-dev liblz4-dev libsnappy-dev libbrotli-dev libbz2-dev
      libssl-dev libjansson-dev libyaml-dev libgit2-dev libcurl4-openssl-dev
      git git-lfs hyperfine time valgrind strace
      libmicrohttpd-dev python3 python3-venv python3-dev nginx-light sox flac locales)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from outside Debian (e.g. a NodeSource nodejs, which bundles npm and
# conflicts with Debian's npm package): require the commands, not the packages.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm judges: reinstall from the lockfile only when node_modules is missing or older than it.
NODE_DIR=tests/node
if [ ! -d "$NODE_DIR/node_modules" ] || [ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules" ]; then
  echo "deps: installing npm test judges into $NODE_DIR/node_modules"
  # `npm ci` refuses a lockfile that lacks the other platforms' optional DuckDB bindings (a
  # registry mirror may not carry them); `npm install --no-save` still installs exactly the
  # locked versions and integrity hashes, and leaves the lockfile untouched.
  log=$(mktemp)
  if ! (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null >"$log" 2>&1) &&
     ! (cd "$NODE_DIR" && npm install --no-save --no-audit --no-fund --loglevel=error </dev/null >"$log" 2>&1); then
    grep -v 'Unknown user config' "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  touch "$NODE_DIR/node_modules"
fi

# Python judges: a venv of whichever python3 is first on PATH (Debian's or another build),
# rebuilt only when the pinned requirements file is newer than the venv. Nothing global.
PY_DIR=tests/python
VENV=$PY_DIR/.venv
if [ ! -x "$VENV/bin/python" ] || [ "$PY_DIR/requirements.txt" -nt "$VENV/.installed" ]; then
  echo "deps: installing Python judges into $VENV"
  PYTHON=${PYTHON:-python3}
  if [ ! -x "$VENV/bin/python" ]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  log=$(mktemp)
  if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q \
        -r "$PY_DIR/requirements.txt" </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  touch "$VENV/.installed"
fi
