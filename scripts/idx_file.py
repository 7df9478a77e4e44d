"""IDX files (MNIST's format) for nn2's Python helpers: finding one under either spelling of its
name, raw or gzip-compressed, and reading it with the checks that a missing, truncated, foreign
or wrongly shaped file fails. Every failure is an IdxError whose message names the file; each
helper turns it into its own message and exit status.

An IDX file: the bytes 0, 0, 8 (unsigned bytes), ndim; ndim big-endian 32-bit sizes; then the
items, exactly as many bytes as the sizes' product (nn2's C reader refuses trailing bytes too).
"""
import gzip
import os
import zlib

import numpy as np


class IdxError(Exception):
    """A missing or bad IDX file; the message names it."""


def find(data_dir, stem, kind):
    """The path of STEM-KIND-ubyte, or STEM.KIND-ubyte, either one possibly .gz, in data_dir
    (stem such as 'train-images', kind 'idx3' or 'idx1'); a 't10k' stem is also looked for as
    'test' (EMNIST's spelling), as nn2 looks for it."""
    names = [stem] + (["test" + stem[4:]] if stem.startswith("t10k") else [])
    for name in names:
        for sep in ("-", "."):
            for ext in ("", ".gz"):
                path = os.path.join(data_dir, "%s%s%s-ubyte%s" % (name, sep, kind, ext))
                if os.path.isfile(path):
                    return path
    raise IdxError("%s not found (nor %s.%s-ubyte, or either .gz%s)" %
                   (os.path.join(data_dir, "%s-%s-ubyte" % (stem, kind)), stem, kind,
                    ", nor 'test' for 't10k'" if len(names) > 1 else ""))


def read(path, ndim, count=None, item=None):
    """The IDX file at path (gzip-compressed if its name ends in .gz) of ndim dimensions as
    unsigned bytes: an array (n, item bytes) for ndim >= 2, (n,) for ndim 1. count: only the first
    count items (the file must have them); item: the bytes an item must have (images of 28 x 28:
    784)."""
    try:
        with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError, zlib.error) as e:  # zlib.error: a corrupt deflate stream
        raise IdxError("%s: %s" % (path, e)) from None
    head = 4 + 4 * ndim
    if len(data) < head or data[:4] != bytes([0, 0, 8, ndim]):
        raise IdxError("%s: not an IDX file of %d dimension(s) (it starts %s)" % (path, ndim, data[:4].hex()))
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    size = 1
    for d in dims[1:]:
        size *= d
    if item is not None and size != item:
        raise IdxError("%s: items of %s, not %d bytes" % (path, " x ".join(map(str, dims[1:])), item))
    if len(data) != head + dims[0] * size:
        raise IdxError("%s: %d bytes, but its header promises %d items of %d bytes (truncated?)" %
                       (path, len(data), dims[0], size))
    n = dims[0] if count is None else count
    if dims[0] < n:
        raise IdxError("%s: %d items, fewer than %d" % (path, dims[0], n))
    arr = np.frombuffer(data, dtype=np.uint8, offset=head, count=n * size)
    return arr.reshape(n, size) if ndim >= 2 else arr
