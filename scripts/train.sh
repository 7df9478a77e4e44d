#!/usr/bin/env bash
# The main job on a fresh Debian machine: install dependencies, build, fetch MNIST if absent,
# and train (default: the book's chapter-3 run). Extra arguments go to `nn2 train`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/fetch_mnist.sh data/mnist
exec build/nn2 train --data data/mnist "$@"
