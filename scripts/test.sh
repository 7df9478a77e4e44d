#!/usr/bin/env bash
# Build and run every test on a fresh Debian machine: install dependencies, build with
# -Werror, fetch MNIST for the real-data tests (they are skipped if it cannot be fetched), run
# CTest, and on a CPU with AVX-512 the tests not labelled slow again under NN2_ISA=avx2; then the
# AddressSanitizer + UndefinedBehaviorSanitizer build of the whole suite; then
# everything compiled with clang and -Werror; then each fuzz target for FUZZ_SECONDS (default
# 30); then the MPI build (-DNN2_MPI=ON), its mpirun tests against the build without MPI and its
# installed package;
# then the step-profile build (-DNN2_PROFILE=ON) and its test; then the benchmarks, built, their
# flags checked, and run once briefly.
# Extra arguments go to the first ctest (e.g. -L slow, -LE slow). NN2_QUICK=1 skips the
# sanitizer and fuzzing stages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh -DNN2_WERROR=ON
scripts/fetch_mnist.sh data/mnist || echo "test: MNIST could not be fetched; the real-data tests will be skipped"
log=$(mktemp); trap 'rm -f "$log"' EXIT
# run_ctest DIR [CTEST ARGS]: the tests of build DIR, as many at once as there are processors (no
# test shares a file with another or asserts a time); a failure stops the script; n: how many ran
run_ctest() {
  local dir=$1; shift
  (cd "$dir" && ctest --output-on-failure -j"$(nproc)" "$@") | tee "$log"
  n=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
}
# variant DIR LABEL CMAKE_FLAG: nn2 built with the flag, its tests labelled LABEL, which compare
# its models with the default build's nn2
variant() {
  cmake -S . -B "$1" "$3" -DNN2_WERROR=ON -DNN2_PLAIN_NN2="$plain" >/dev/null
  cmake --build "$1" -j"$(nproc)" --target nn2 >/dev/null
  run_ctest "$1" -L "$2"
}
echo "== tests (at ${SECONDS} s)"
run_ctest "${BUILD_DIR:-build}" "$@"
n_main=$n
[ "${NN2_QUICK:-0}" = 1 ] && exit 0
n_avx2=0
if grep -qw avx512f /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  # nn2 on the AVX2 kernels, as on a CPU without AVX-512 (most tests run nn2 on the best set;
  # one failed on the others until the thirty-seventh session); the slow tests loop over the
  # kernel sets themselves
  echo "== the tests not labelled slow, on the AVX2 kernels (at ${SECONDS} s)"
  NN2_ISA=avx2 run_ctest "${BUILD_DIR:-build}" -LE slow
  n_avx2=$n
fi
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build (at ${SECONDS} s)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNN2_SANITIZE=ON -DNN2_WERROR=ON >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
run_ctest build-asan
n_asan=$n
echo "== clang build (at ${SECONDS} s): everything compiled with -Werror, not run"
CC=clang cmake -S . -B build-clang -DCMAKE_C_COMPILER=clang -DNN2_WERROR=ON >/dev/null
cmake --build build-clang -j"$(nproc)" >/dev/null
echo "== fuzzing (at ${SECONDS} s)"
scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
echo "== MPI build (at ${SECONDS} s)"
plain=$(cd "${BUILD_DIR:-build}" && pwd)/nn2
variant build-mpi mpi -DNN2_MPI=ON
n_mpi=$n
echo "== step-profile build (at ${SECONDS} s)"
variant build-prof-ci profile -DNN2_PROFILE=ON
n_prof=$n
echo "== benchmarks, at ${SECONDS} s: built with -Werror and run once briefly (scripts/bench.sh measures with them)"
cmake -S . -B build-bench-ci -DCMAKE_BUILD_TYPE=Release -DNN2_BENCH=ON -DNN2_OPENBLAS=ON -DNN2_WERROR=ON >/dev/null
cmake --build build-bench-ci -j"$(nproc)" --target nn2-bench nn2-gbench >/dev/null
build-bench-ci/bench/nn2-gbench --benchmark_filter='gemm_nn_forward/scalar/10/30/784' --benchmark_min_time=0.01 >/dev/null
run_ctest build-bench-ci -R bench_flags # nn2-bench's flags refused; with MNIST, a short run and its csv
n_bench=2
if [ -f data/mnist/train-images-idx3-ubyte.gz ] || [ -f data/mnist/train-images-idx3-ubyte ]; then
  if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then # the peak at the kernels' width
    out=$(NN2_ISA=avx2 build-bench-ci/bench/nn2-bench --data data/mnist --reps 1 --configs B1 --threads 1)
    p2=$(sed -n 's/^nn2-bench: .*FMA peak (GFLOP\/s): AVX2 \([0-9.]*\) on 1 thread.*/\1/p' <<< "$out")
    if [ -z "$p2" ] || ! grep "^B1 .* avx2 " <<< "$out" | awk -v p="$p2" \
        '{ for (k = 1; k < NF && $k != "avx2"; k++); # the columns after the kernels: thr s/epoch min max samples/s GFLOP/s %peak speedup peak
           pc = $(k + 7); sub("%", "", pc); rp = $(k + 9); d = 100 * $(k + 6) / rp - pc
           ok = d < 0.2 && d > -0.2 && rp > 0.7 * p && rp < 1.4 * p } END { exit !ok }'; then
      echo "test: NN2_ISA=avx2 nn2-bench did not judge the avx2 rows against the AVX2 peak:"; echo "$out"; exit 1
    fi
    n_bench=3
  fi
fi
echo "ci: ${n_main:-0} tests, $n_avx2 on the AVX2 kernels, ${n_asan:-0} tests under ASan+UBSan, 3 fuzz targets, ${n_mpi:-0} MPI-build tests, ${n_prof:-0} profile test, $n_bench benchmark checks"
echo "ci: ${SECONDS} s"
echo "ci: $(( ${n_main:-0} + n_avx2 + ${n_asan:-0} + 3 + ${n_mpi:-0} + ${n_prof:-0} + n_bench )) passed, 0 failed"
