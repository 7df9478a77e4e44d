#!/usr/bin/env bash
# nn2 on a CPU without the x86 kernels: a 64-bit ARM build (Debian's aarch64 cross compiler and
# arm64 libraries, -Werror) into build-aarch64/, its C tests run under qemu-aarch64 (CTest), and
# MNIST models trained by it compared byte for byte with the x86-64 build's scalar kernels
# (NN2_ISA=scalar) for several configurations. Not part of CI: it adds the arm64 architecture
# to dpkg and installs the cross tools (a few minutes here), and the tests take about three
# minutes under emulation.
# Usage: scripts/cross_aarch64.sh [DATA_DIR]    (run as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data/mnist}
scripts/setup.sh >/dev/null
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
pkgs=(gcc-aarch64-linux-gnu qemu-user libc6-dev:arm64 libgomp1:arm64 libcjson-dev:arm64
      zlib1g-dev:arm64 libhwloc-dev:arm64)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "cross: installing ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update -q >/dev/null
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE="$PWD/scripts/aarch64-toolchain.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DNN2_WERROR=ON >/dev/null
cmake --build build-aarch64 -j"$(nproc)" >/dev/null
BUILD_DIR=build scripts/build.sh >/dev/null
echo "cross: $(qemu-aarch64 build-aarch64/nn2 --version)"
# the tests that are C programs (the script tests run nn2 directly, which needs binfmt_misc)
(cd build-aarch64 && ctest --output-on-failure -j"$(nproc)" -E 'cli|mnist_real|reproduce|bench_|checkpoint_resume|golden_reference_fresh')
[ "$data" != data/mnist ] || scripts/fetch_mnist.sh data/mnist >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
# same CONFIG_NAME EXPECT FLAGS...: the arm64 build on 2 threads against x86-64's scalar kernels
# on 1 (EXPECT: same; or any, only reported, where the result depends on a libm function whose
# bits differ between the two C libraries: glibc's tanhf does, its expf does not)
same() {
  local name=$1 expect=$2; shift 2
  local args=(train --data "$data" --no-fetch --train-size 5000 --epochs 2 --quiet "$@")
  qemu-aarch64 build-aarch64/nn2 "${args[@]}" --threads 2 --save "$tmp/arm.json"
  NN2_ISA=scalar build/nn2 "${args[@]}" --threads 1 --save "$tmp/x86.json"
  local got=differ; cmp -s "$tmp/arm.json" "$tmp/x86.json" && got=same
  if [ "$expect" = any ]; then echo "cross: $name: models $got (not checked)"
  elif [ "$got" = "$expect" ]; then echo "cross: $name: models $got, as expected"
  else echo "cross: FAIL: $name: models $got, expected $expect"; fails=$((fails+1)); fi
}
same "sigmoid, cross-entropy (the default)" same
same "[784,100,10] ReLU, softmax, dropout, momentum" same --sizes 784,100,10 --activation relu \
  --cost log-likelihood --init he --dropout 0.3 --momentum 0.5 --eta 0.1
same "[784,40,20,10] L1, Nesterov, mini-batches of 200 in blocks" same --sizes 784,40,20,10 \
  --reg l1 --lambda 1 --nesterov --momentum 0.7 --eta 0.05 --batch-size 200
same "[784,40,10] tanh (libm's tanhf)" any \
  --sizes 784,40,10 --activation tanh
[ $fails = 0 ] && echo "cross: all as expected"
[ $fails = 0 ]
