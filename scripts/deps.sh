#!/usr/bin/env bash
# Installs what the build and the tests need, and only what is missing:
# Debian packages through apt (as root, else with sudo), npm test judges into tests/node/.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
      zlib1g-dev libzstd-dev liblz4-dev libsnappy-dev libbrotli-dev libbz2-dev
      libssl-dev libjansson-dev libyaml-dev libgit2-dev libcurl4-openssl-dev
      git nodejs npm hyperfine time valgrind)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
