#!/usr/bin/env bash
# install: `cmake --install` into a fresh prefix, then, outside nn2's tree, a program built
# against it with pkg-config (as C and as C++) and with CMake's find_package(nn2)
# (tests/install/): each trains, saves, loads and predicts through nn2.h alone, and all write
# the same model bytes. The installed nn2 runs from the prefix and finds its fetch script there.
# With SHARED = 1 (a -DNN2_SHARED=ON build), libnn2.so too: it exports exactly the functions
# nn2.h declares, pkg-config's -lnn2 links it, CMake's nn2::nn2_shared too, and Python's ctypes
# loads it. In an MPI build (-DNN2_MPI=ON), pkg-config's flags bring MPI's library too.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR CMAKE C_COMPILER SHARED
set -uo pipefail
build=$1 src=$2 cmake=$3 cc=$4 shared=$5
source "$(dirname "$0")/check.sh" install # $tmp, check
prefix=$tmp/prefix
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
lib=$(find "$prefix" -name libnn2.a | head -1)
libdir=$(dirname "$lib")
pcdir=$(dirname "$(find "$prefix" -name nn2.pc | head -1)")
for f in bin/nn2 include/nn2.h share/nn2/fetch_mnist.sh; do
  check "installed $f" test -s "$prefix/$f"
done
check "installed libnn2.a" test -s "$lib"
check "installed share/bash-completion/completions/nn2, the bash completion" \
  cmp "$prefix/share/bash-completion/completions/nn2" "$src/scripts/install/nn2.bash"
bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ]; then # bash-completion looks for it under each of XDG_DATA_DIRS (/usr/local/share first)
  check "bash-completion loads the prefix's completion of nn2 (XDG_DATA_DIRS=P/share)" \
    env XDG_DATA_DIRS="$prefix/share" bash -c "source '$bc'; __load_completion nn2 && complete -p nn2 | grep -q -- '-F _nn2 nn2'"
else
  echo "install: no $bc: where bash-completion finds the completion not checked"
fi
check "installed share/man/man1/nn2.1, the manual page" \
  bash -c "cmp '$prefix/share/man/man1/nn2.1' '$src/scripts/install/nn2.1' && MANPATH='$prefix/share/man' man -P cat nn2 2>/dev/null | grep -q -- '--checkpoint-every N'"
check "installed nn2.pc" test -s "$pcdir/nn2.pc"
check "installed nn2Config.cmake and its version file" \
  test -s "$libdir/cmake/nn2/nn2Config.cmake" -a -s "$libdir/cmake/nn2/nn2ConfigVersion.cmake"
check "the installed package names no path of the build machine's libraries" \
  bash -c "! grep -l '/usr/lib' '$libdir'/cmake/nn2/*.cmake '$pcdir/nn2.pc'"

if [ "$shared" = 1 ]; then
  so=$libdir/libnn2.so
  check "installed libnn2.so, a link to its soname's file" test -L "$so" -a -s "$so"
  grep -o '^NN2_API [^(]*' "$src/include/nn2.h" | grep -o 'nn2_[a-z0-9_]*$' | sort >"$tmp/api"
  nm -D --defined-only "$so" | awk '{ print $3 }' | sort >"$tmp/exported"
  check "libnn2.so exports the $(wc -l <"$tmp/api") functions of nn2.h, no other symbol" \
    diff "$tmp/api" "$tmp/exported"
  check "Python's ctypes loads libnn2.so and calls nn2_version" /usr/bin/python3 -c "
import ctypes, sys
lib = ctypes.CDLL('$so')
lib.nn2_version.restype = ctypes.c_char_p
sys.exit(lib.nn2_version().decode() != '$(sed -n 's/^#define NN2_VERSION_STRING "\(.*\)"/\1/p' "$src/include/nn2.h")')"
fi
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

version=$("$prefix/bin/nn2" --version | sed -n 's/^nn2 \([0-9.]*\).*/\1/p')
check "installed nn2 --version: $version" test -n "$version"
check "pkg-config's version is nn2's" \
  bash -c "[ \"\$(PKG_CONFIG_PATH='$pcdir' pkg-config --modversion nn2)\" = '$version' ]"

# pkg-config: the compiler, the flags it gives, nothing else
flags_c=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags nn2)
flags_l=$(PKG_CONFIG_PATH=$pcdir pkg-config --libs nn2)
# shellcheck disable=SC2086
check "consumer built with pkg-config as C99, -Wpedantic -Werror ($flags_l)" \
  "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror $flags_c "$src/tests/install/consumer.c" -o "$tmp/consumer_pc" $flags_l
check "consumer (pkg-config) trains, saves, loads and predicts" "$tmp/consumer_pc" "$tmp/pc.json"
cat "$tmp/out"
if [ "$shared" = 1 ]; then
  check "pkg-config's consumer runs on libnn2.so" bash -c "ldd '$tmp/consumer_pc' | grep -q '$libdir/libnn2.so'"
fi
if command -v c++ >/dev/null; then # nn2.h from C++ (its extern "C")
  # shellcheck disable=SC2086
  check "consumer built as C++ with pkg-config" \
    c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -x c++ "$src/tests/install/consumer.c" -x none -o "$tmp/consumer_cxx" $flags_c $flags_l
  check "consumer (C++) saves the same model bytes" \
    bash -c "'$tmp/consumer_cxx' '$tmp/cxx.json' && cmp '$tmp/pc.json' '$tmp/cxx.json'"
fi

# CMake: find_package(nn2) from the prefix
check "consumer configured with find_package(nn2)" \
  "$cmake" -S "$src/tests/install" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc"
check "consumer built with nn2::nn2" "$cmake" --build "$tmp/cm"
check "nn2::nn2 is the static library" bash -c "! ldd '$tmp/cm/consumer' | grep -q libnn2"
check "consumer (CMake) trains, saves, loads and predicts" "$tmp/cm/consumer" "$tmp/cm.json"
check "the static and the pkg-config consumers saved the same model bytes" cmp "$tmp/pc.json" "$tmp/cm.json"
if [ "$shared" = 1 ]; then
  check "consumer (CMake, nn2::nn2_shared) on libnn2.so, the same model bytes" \
    bash -c "ldd '$tmp/cm/consumer_shared' | grep -q '$libdir/libnn2.so' && '$tmp/cm/consumer_shared' '$tmp/cms.json' && cmp '$tmp/pc.json' '$tmp/cms.json'"
fi
check "find_package(nn2 99.0) is refused (version file)" \
  bash -c "! '$cmake' -S '$src/tests/install' -B '$tmp/cm99' -DNN2_WANT=99.0 -DCMAKE_PREFIX_PATH='$prefix' -DCMAKE_C_COMPILER='$cc'"

# the README's library example, tests/install/train_mnist.c: the README shows this very file; it
# builds against the prefix, and with MNIST it trains 3 epochs, and the installed nn2 scores
# the network it saved as it did
check "the README shows tests/install/train_mnist.c as it is" /usr/bin/python3 -c "
import sys
sys.exit(('\`\`\`c\n' + open('$src/tests/install/train_mnist.c').read() + '\`\`\`') not in open('$src/README.md').read())"
# shellcheck disable=SC2086
check "train_mnist.c built as C99 with pkg-config" \
  "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror $flags_c "$src/tests/install/train_mnist.c" -o "$tmp/train_mnist" $flags_l
mnist=$src/data/mnist
if [ -e "$mnist/train-images-idx3-ubyte" ] || [ -e "$mnist/train-images-idx3-ubyte.gz" ]; then
  mkdir -p "$tmp/ex"
  (cd "$tmp/ex" && "$tmp/train_mnist" "$mnist" >"$tmp/ex.out" 2>&1)
  cat "$tmp/ex.out"
  right=$(sed -n 's/^test: \([0-9]*\) \/ 10000$/\1/p' "$tmp/ex.out")
  check "train_mnist: 3 epochs, over 9,000 of 10,000 test images right (${right:-none})" \
    bash -c "[ \$(grep -c '^epoch [123]: [0-9]* / 10000\$' '$tmp/ex.out') = 3 ] && [ '${right:-0}' -gt 9000 ]"
  check "the installed nn2 scores train_mnist's net.json as it did" \
    bash -c "'$prefix/bin/nn2' eval --model '$tmp/ex/net.json' --data '$mnist' | grep -q '^accuracy on test data: ${right:-x} / 10000 '"
else
  echo "install: MNIST not in $mnist: train_mnist built, not run"
fi

# the installed binary, away from the source tree, runs the fetch script of its prefix
printf '#!/bin/sh\necho "prefix fetch script ran on $1"; exit 1\n' >"$prefix/share/nn2/fetch_mnist.sh"
(cd "$tmp" && env -u NN2_FETCH_SCRIPT "$prefix/bin/nn2" train --data "$tmp/nodata" --fetch --epochs 1 >"$tmp/fetch.out" 2>&1)
rc=$?
check "installed nn2 fetches with share/nn2/fetch_mnist.sh (rc $rc)" \
  bash -c "[ $rc = 1 ] && grep -q 'prefix fetch script ran on $tmp/nodata' '$tmp/fetch.out' && grep -q 'share/nn2/fetch_mnist.sh' '$tmp/fetch.out'"
[ $rc = 1 ] || cat "$tmp/fetch.out"
# bin/nn2-reproduce (scripts/reproduce) runs the nn2 beside it, from any directory: on data
# without MNIST (--data not the default, so no fetch) it names the prefix's nn2 in its error, and
# with MNIST it draws the weight-initialization figures (1 epoch on 100 images)
check "installed bin/nn2-reproduce" test -x "$prefix/bin/nn2-reproduce"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  (cd "$tmp" && "$prefix/bin/nn2-reproduce" weight-init --epochs 1 --data "$tmp/nodata" --out "$tmp/fig" \
    >"$tmp/repro.out" 2>&1)
  rc=$?
  check "installed nn2-reproduce runs the prefix's nn2 (rc $rc)" bash -c "[ $rc = 1 ] && grep -q \
    '^reproduce: $(realpath "$prefix")/bin/nn2 train --data $tmp/nodata ' '$tmp/repro.out'"
  [ $rc = 1 ] || cat "$tmp/repro.out"
  if [ -s "$mnist/train-images-idx3-ubyte" ] || [ -s "$mnist/train-images-idx3-ubyte.gz" ]; then
    check "installed nn2-reproduce draws the weight-initialization figures" bash -c "cd '$tmp' && \
      '$prefix/bin/nn2-reproduce' weight-init --epochs 1 --train-size 100 --data '$mnist' \
      --out '$tmp/fig' && test -s '$tmp/fig/weight_initialization_30.png' && \
      test -s '$tmp/fig/weight_initialization_100.png'"
  fi
else
  echo "install: no matplotlib: nn2-reproduce not run"
fi
# and trains, saves and scores from the prefix (the 4x4 IDX files of the tests)
check "installed nn2 trains and saves" "$prefix/bin/nn2" train --data "$src/tests/data/idx" --sizes 16,4,10 \
  --train-size 5 --validation-size 3 --epochs 2 --save "$tmp/idx.json"
check "installed nn2 scores the saved model" "$prefix/bin/nn2" eval --model "$tmp/idx.json" --data "$src/tests/data/idx"

echo "install: $checks checks, $fails failed"
[ "$fails" = 0 ]
