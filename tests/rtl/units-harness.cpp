// Verilator harness of units_top (tests/rtl-units.test.ts): reads records of three 32-bit words
// (a, b, h), presents one per cycle, and writes eight result words per record, each taken the
// unit's depth after its issue (a wrong depth reads another record's result).
// Usage: units <stimulus> <results> <mul depth> <add depth>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vunits_top.h"
#include "harness-io.h"
#include "verilated.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s stimulus results mul-depth add-depth\n", argv[0]);
    return 2;
  }
  std::vector<uint32_t> stim;
  if (!readRecords(argv[1], 3, stim)) return 3;
  const long n = static_cast<long>(stim.size() / 3);
  const long mulDepth = std::atol(argv[3]);
  const long addDepth = std::atol(argv[4]);
  const long last = n + (mulDepth > addDepth ? mulDepth : addDepth);
  std::vector<uint32_t> out(static_cast<size_t>(n) * 8, 0);

  VerilatedContext ctx;
  Vunits_top top{&ctx};
  top.clk = 0;
  top.eval();
  for (long c = 0; c <= last; c++) {
    if (c < n) {
      top.a = stim[3 * c];
      top.b = stim[3 * c + 1];
      top.h = stim[3 * c + 2];
    }
    top.clk = 0;
    top.eval();
    const long im = c - mulDepth;
    if (im >= 0 && im < n) {
      out[8 * im + 0] = top.mul32;
      out[8 * im + 2] = top.mul16;
      out[8 * im + 3] = top.sq16;
      out[8 * im + 5] = top.smul16;
    }
    const long ia = c - addDepth;
    if (ia >= 0 && ia < n) {
      out[8 * ia + 1] = top.add32;
      out[8 * ia + 4] = top.add16;
      out[8 * ia + 6] = top.sadd16;
    }
    if (c < n) out[8 * c + 7] = top.round16;
    top.clk = 1;
    top.eval();
  }
  top.final();
  return writeWords(argv[2], out) ? 0 : 4;
}
