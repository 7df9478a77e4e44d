#!/usr/bin/env bash
# Build and run every test on a fresh Debian machine: install dependencies, build with
# -Werror, fetch MNIST for the real-data tests (they are skipped if it cannot be fetched),
# then CTest. Extra arguments go to ctest (e.g. -L slow, -LE slow).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh -DNN2_WERROR=ON
scripts/fetch_mnist.sh data/mnist || echo "test: MNIST could not be fetched; the real-data tests will be skipped"
cd "${BUILD_DIR:-build}"
ctest --output-on-failure "$@"
