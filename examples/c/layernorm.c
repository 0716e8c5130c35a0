/*
 * A native host of the iterl2norm module: the scalar build (build/iterl2norm.scalar.wasm)
 * turned into C by wasm2c (wabt), called through the ABI of docs/ABI.md.
 *
 *   usage: layernorm IN.f32 OUT.f32 DIM [paper|precise] [l2]
 *
 * IN holds rows × DIM little-endian f32 values; OUT receives the normalised rows.
 * Build (see examples/c/build.sh):
 *   wasm2c build/iterl2norm.scalar.wasm -n iterl2norm -o build/c/iterl2norm.c
 *   cc -O2 -Ibuild/c -I/usr/share/wabt/wasm2c examples/c/layernorm.c build/c/iterl2norm.c \
 *      /usr/share/wabt/wasm2c/wasm-rt-impl.c -lm -o build/c/layernorm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iterl2norm.h"

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
  if (argc < 4) return fail("usage: layernorm IN.f32 OUT.f32 DIM [paper|precise] [l2]");
  const int dim = atoi(argv[3]);
  const int precise = argc > 4 && strcmp(argv[4], "precise") == 0;
  const int l2 = argc > 5 && strcmp(argv[5], "l2") == 0;
  size_t bytes;
  unsigned char *input = read_file(argv[1], &bytes);
  if (!input) return fail("cannot read the input file");
  if (dim < 1 || bytes % (4u * (size_t)dim) != 0) return fail("the input size is not a multiple of DIM f32 values");
  const int rows = (int)(bytes / (4u * (size_t)dim));

  wasm_rt_init();
  Z_iterl2norm_init_module();
  Z_iterl2norm_instance_t m;
  Z_iterl2norm_instantiate(&m);

  /* Enum values come from the module's exported globals (docs/ABI.md), never hard-coded. */
  const u32 method = *Z_iterl2normZ_METHOD_ITER(&m);
  const u32 policy = precise ? *Z_iterl2normZ_LAMBDA_NEWTON(&m) : *Z_iterl2normZ_LAMBDA_PAPER(&m);
  const u32 variant = *Z_iterl2normZ_FISR_QUAKE(&m);
  const u32 ok = *Z_iterl2normZ_STATUS_OK(&m);

  /* One block for the rows; the output overwrites the input (in place). */
  const u32 ptr = Z_iterl2normZ_alloc(&m, (u32)bytes);
  memcpy(Z_iterl2normZ_memory(&m)->data + ptr, input, bytes); /* re-read data: alloc may grow memory */
  const u32 status = l2
    ? Z_iterl2normZ_l2_normalize(&m, ptr, ptr, (u32)rows, (u32)dim, 0.0f, method, policy, 0.0f, 5, 0, variant)
    : Z_iterl2normZ_layer_norm(&m, ptr, ptr, 0, 0, (u32)rows, (u32)dim, 1e-5f, method, policy, 0.0f, 5, 0, variant);
  if (status != ok) return fail("the kernel returned an error status");

  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(Z_iterl2normZ_memory(&m)->data + ptr, 1, bytes, out) != bytes) return fail("cannot write the output file");
  fclose(out);

  Z_iterl2normZ_free(&m, ptr);
  Z_iterl2norm_free(&m);
  wasm_rt_free();
  free(input);
  return 0;
}
