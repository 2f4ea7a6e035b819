#!/bin/sh
# Regenerates every module in generated/ (tests/test_generated.py checks they match byte for byte).
set -e
cd "$(dirname "$0")/.."
derive code 3-2-2 --activation sigmoid --loss mse --no-bias --form matrix --dtype float64 -o generated/article_matrix.py
derive code 3-2-2 --activation sigmoid --loss mse --no-bias --form unrolled --dtype float64 -o generated/article_unrolled.py
derive code 64-32-10 --activation tanh,softmax --loss cross-entropy --bias --form matrix --dtype float64 -o generated/digits_64_32_10.py
derive code 10-8-6-4 --activation relu,tanh,sigmoid --loss bce --bias --form matrix --dtype float64 -o generated/mixed_10_8_6_4.py
derive code 10-8-6-4 --activation relu,tanh,sigmoid --loss bce --bias --form unrolled --dtype float64 -o generated/mixed_10_8_6_4_unrolled.py
derive code 784-128-64-10 --activation relu,relu,softmax --loss cross-entropy --bias --form matrix --dtype float32 -o generated/mnist_784_128_64_10.py
