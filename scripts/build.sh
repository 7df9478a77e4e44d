#!/usr/bin/env bash
# Configure and build nn2 (Release, all ISAs, runtime dispatch, the shared library too) into
# BUILD_DIR (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DNN2_SHARED=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
