// Verilator harness of digit_top (tests/rtl-digit.test.ts): reads records of three 32-bit words
// (a, b, h) and issues one record every `period` cycles (the units take one operation at a time);
// writes four result words per record, the FP32 units' taken `at32` cycles after the issue and the
// BF16 units' `at16` cycles after (taken early, a unit still shows the previous record's result).
// Usage: digit <stimulus> <results> <period> <at32> <at16>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vdigit_top.h"
#include "harness-io.h"
#include "verilated.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s stimulus results period at32 at16\n", argv[0]);
    return 2;
  }
  std::vector<uint32_t> stim;
  if (!readRecords(argv[1], 3, stim)) return 3;
  const long n = static_cast<long>(stim.size() / 3);
  const long period = std::atol(argv[3]);
  const long at32 = std::atol(argv[4]);
  const long at16 = std::atol(argv[5]);
  if (period < 1 || at32 < 1 || at16 < 1 || at32 > period || at16 > period) {
    std::fprintf(stderr, "need 1 <= at32, at16 <= period\n");
    return 2;
  }
  std::vector<uint32_t> out(static_cast<size_t>(n) * 4, 0);

  VerilatedContext ctx;
  Vdigit_top top{&ctx};
  top.clk = 0;
  top.go = 0;
  top.eval();
  for (long i = 0; i < n; i++) {
    for (long c = 0; c < period; c++) {
      top.go = c == 0;
      if (c == 0) {
        top.a = stim[3 * i];
        top.b = stim[3 * i + 1];
        top.h = stim[3 * i + 2];
      }
      top.clk = 0;
      top.eval();
      top.clk = 1;
      top.eval();
      // the values of cycle c + 1 after the issue
      top.clk = 0;
      top.go = 0;
      top.eval();
      if (c + 1 == at32) {
        out[4 * i + 0] = top.div32;
        out[4 * i + 1] = top.sqrt32;
      }
      if (c + 1 == at16) {
        out[4 * i + 2] = top.div16;
        out[4 * i + 3] = top.sqrt16;
      }
    }
  }
  top.final();
  return writeWords(argv[2], out) ? 0 : 4;
}
