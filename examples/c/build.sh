#!/usr/bin/env bash
# Builds the C host of the module: wasm2c turns a build into C, and cc compiles it with
# examples/c/layernorm.c and the runtime of that wasm2c version. Prints each executable's path.
#   usage: examples/c/build.sh [scalar|simd|all] [OUT_DIR]   (default scalar, build/c; npm run build first)
#   scalar -> OUT_DIR/layernorm: the scalar build through Debian's wasm2c (apt install wabt gcc).
#   simd   -> OUT_DIR/layernorm-simd: the SIMD build through wasm2c 1.0.36 (npm wabt@1.0.36, installed
#             by `npm ci --prefix tests/hosts`), the runtime sources of that version
#             (scripts/fetch-wasm2c-runtime.sh) and SIMDe for the vector operations (apt install
#             libsimde-dev). Debian bookworm's wasm2c 1.0.32 cannot translate SIMD.
#   Overrides: WASM2C (a wasm2c 1.0.36) and WASM2C_RUNTIME (the folder of its wasm-rt.h and *.c).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
which="scalar"
case "${1:-}" in
  scalar | simd | all)
    which="$1"
    shift
    ;;
esac
out="${1:-$root/build/c}"
mkdir -p "$out"

# -ffp-contract=off: no fused multiply-add where the module rounds a product and a sum apart
# (C compilers may contract a*b + c when the target has FMA; WebAssembly never does).
cflags=(-O2 -ffp-contract=off)

# wasm2c's output in DIR, then the executable EXE from it, the host and the runtime's C files.
compile() {
  local dir="$1" exe="$2" runtime="$3"
  shift 3
  local names=()
  # Debian bookworm's wasm2c mangles names as Z_<module>Z_<export> (examples/c/layernorm.c).
  if grep -q "Z_iterl2norm_instantiate" "$dir/iterl2norm.h"; then names=(-DWASM2C_Z_NAMES); fi
  cc "${cflags[@]}" "${names[@]}" -I"$dir" -I"$runtime" "$root/examples/c/layernorm.c" "$dir/iterl2norm.c" "$@" \
    -lm -o "$exe"
  echo "$exe"
}

if [ "$which" = scalar ] || [ "$which" = all ]; then
  runtime=/usr/share/wabt/wasm2c
  mkdir -p "$out/scalar"
  wasm2c "$root/build/iterl2norm.scalar.wasm" -n iterl2norm -o "$out/scalar/iterl2norm.c"
  compile "$out/scalar" "$out/layernorm" "$runtime" "$runtime/wasm-rt-impl.c"
fi

if [ "$which" = simd ] || [ "$which" = all ]; then
  wasm2c="${WASM2C:-$root/tests/hosts/node_modules/.bin/wasm2c}"
  runtime="${WASM2C_RUNTIME:-$root/tests/hosts/node_modules/.cache/wasm2c-runtime-1.0.36}"
  version="$("$wasm2c" --version)"
  if [ "$version" != 1.0.36 ]; then
    echo "build.sh: $wasm2c is wasm2c $version; the SIMD host needs 1.0.36 (npm ci --prefix tests/hosts)" >&2
    exit 1
  fi
  if [ ! -f "$runtime/wasm-rt-mem-impl.c" ]; then
    echo "build.sh: no wasm2c 1.0.36 runtime in $runtime (run scripts/fetch-wasm2c-runtime.sh)" >&2
    exit 1
  fi
  mkdir -p "$out/simd"
  "$wasm2c" "$root/build/iterl2norm.wasm" -n iterl2norm -o "$out/simd/iterl2norm.c"
  compile "$out/simd" "$out/layernorm-simd" "$runtime" "$runtime/wasm-rt-impl.c" "$runtime/wasm-rt-mem-impl.c"
fi
