/*
 * A native host of the iterl2norm module: a build (build/iterl2norm.scalar.wasm, or the SIMD
 * build/iterl2norm.wasm) turned into C by wasm2c (wabt), called through the ABI of docs/ABI.md.
 *
 *   usage: layernorm IN.f32 OUT.f32 DIM [paper|precise] [l2]
 *          layernorm --build       (prints the module's ABI version and which build it is)
 *
 * IN holds rows × DIM little-endian f32 values; OUT receives the normalised rows.
 * Build with examples/c/build.sh; by hand, for the scalar build and Debian's wasm2c:
 *   wasm2c build/iterl2norm.scalar.wasm -n iterl2norm -o build/c/scalar/iterl2norm.c
 *   cc -O2 -ffp-contract=off -DWASM2C_Z_NAMES -Ibuild/c/scalar -I/usr/share/wabt/wasm2c examples/c/layernorm.c \
 *      build/c/scalar/iterl2norm.c /usr/share/wabt/wasm2c/wasm-rt-impl.c -lm -o build/c/layernorm
 * The SIMD build needs wasm2c 1.0.36, the runtime of that version and SIMDe: examples/c/build.sh simd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iterl2norm.h"

/*
 * The names wasm2c gives the module's functions: Debian bookworm's wasm2c (wabt 1.0.32) mangles
 * them as Z_<module>Z_<export> and needs an init_module call; later versions (1.0.36, which can
 * translate the SIMD build) name them w2c_<module>_<export>. build.sh defines WASM2C_Z_NAMES when
 * the generated header has the former.
 */
#ifdef WASM2C_Z_NAMES
typedef Z_iterl2norm_instance_t instance_t;
#define EXPORT(name) Z_iterl2normZ_##name
static void instantiate(instance_t *m) {
  Z_iterl2norm_init_module();
  Z_iterl2norm_instantiate(m);
}
static void release(instance_t *m) { Z_iterl2norm_free(m); }
#else
typedef w2c_iterl2norm instance_t;
#define EXPORT(name) w2c_iterl2norm_##name
static void instantiate(instance_t *m) { wasm2c_iterl2norm_instantiate(m); }
static void release(instance_t *m) { wasm2c_iterl2norm_free(m); }
#endif

static int fail(const char *what) {
  fprintf(stderr, "layernorm: %s\n", what);
  return 1;
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--build") == 0) {
    wasm_rt_init();
    instance_t m;
    instantiate(&m);
    printf("ABI %u, %s build\n", *EXPORT(ABI_VERSION)(&m), *EXPORT(HAS_SIMD)(&m) ? "SIMD" : "scalar");
    release(&m);
    wasm_rt_free();
    return 0;
  }
  if (argc < 4) return fail("usage: layernorm IN.f32 OUT.f32 DIM [paper|precise] [l2] | layernorm --build");
  const int dim = atoi(argv[3]);
  const int precise = argc > 4 && strcmp(argv[4], "precise") == 0;
  const int l2 = argc > 5 && strcmp(argv[5], "l2") == 0;
  size_t bytes;
  unsigned char *input = read_file(argv[1], &bytes);
  if (!input) return fail("cannot read the input file");
  if (dim < 1 || bytes % (4u * (size_t)dim) != 0) return fail("the input size is not a multiple of DIM f32 values");
  const int rows = (int)(bytes / (4u * (size_t)dim));

  wasm_rt_init();
  instance_t m;
  instantiate(&m);

  /* Enum values come from the module's exported globals (docs/ABI.md), never hard-coded. */
  const u32 method = *EXPORT(METHOD_ITER)(&m);
  const u32 policy = precise ? *EXPORT(LAMBDA_NEWTON)(&m) : *EXPORT(LAMBDA_PAPER)(&m);
  const u32 variant = *EXPORT(FISR_QUAKE)(&m);
  const u32 ok = *EXPORT(STATUS_OK)(&m);

  /* One block for the rows; the output overwrites the input (in place). */
  const u32 ptr = EXPORT(alloc)(&m, (u32)bytes);
  memcpy(EXPORT(memory)(&m)->data + ptr, input, bytes); /* re-read data: alloc may grow memory */
  const u32 status = l2
    ? EXPORT(l2_normalize)(&m, ptr, ptr, (u32)rows, (u32)dim, 0.0f, method, policy, 0.0f, 5, 0, variant)
    : EXPORT(layer_norm)(&m, ptr, ptr, 0, 0, (u32)rows, (u32)dim, 1e-5f, method, policy, 0.0f, 5, 0, variant);
  if (status != ok) return fail("the kernel returned an error status");

  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(EXPORT(memory)(&m)->data + ptr, 1, bytes, out) != bytes) {
    return fail("cannot write the output file");
  }
  fclose(out);

  EXPORT(free)(&m, ptr);
  release(&m);
  wasm_rt_free();
  free(input);
  return 0;
}
