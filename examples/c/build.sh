#!/usr/bin/env bash
# Builds the C host of the module: wasm2c (Debian's wabt) turns the scalar build
# into C, and cc compiles it with examples/c/layernorm.c and wasm2c's runtime.
#   usage: examples/c/build.sh [OUT_DIR]     (default build/c; run npm run build first)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/build/c}"
runtime=/usr/share/wabt/wasm2c
mkdir -p "$out"
wasm2c "$root/build/iterl2norm.scalar.wasm" -n iterl2norm -o "$out/iterl2norm.c"
cc -O2 -I"$out" -I"$runtime" "$root/examples/c/layernorm.c" "$out/iterl2norm.c" "$runtime/wasm-rt-impl.c" -lm -o "$out/layernorm"
echo "$out/layernorm"
