// Verilator harness of tree_top (tests/rtl/tree-top.v, tests/rtl-tree.test.ts): reads records of
// LANES + 1 words (the lanes, then the count of valid lanes), presents one row per cycle, and writes
// two words per row, the sum and its valid bit, taken <latency> cycles after the row's issue.
// Usage: tree <stimulus> <results> <lanes> <latency>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vtree_top.h"
#include "harness-io.h"
#include "verilated.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s stimulus results lanes latency\n", argv[0]);
    return 2;
  }
  const long lanes = std::atol(argv[3]);
  const long latency = std::atol(argv[4]);
  std::vector<uint32_t> stim;
  if (!readRecords(argv[1], static_cast<std::size_t>(lanes + 1), stim)) return 3;
  const long n = static_cast<long>(stim.size()) / (lanes + 1);
  std::vector<uint32_t> out(static_cast<size_t>(n) * 2, 0);

  VerilatedContext ctx;
  Vtree_top top{&ctx};
  for (long c = 0; c <= n + latency; c++) {
    const uint32_t* row = c < n ? &stim[static_cast<size_t>(c * (lanes + 1))] : nullptr;
    const long count = row ? static_cast<long>(row[lanes]) : 0;
    for (long j = 0; j < lanes; j++) top.x[j] = row ? row[j] : 0;
    top.count = static_cast<uint16_t>(count);
    top.clk = 0;
    top.eval();
    const long r = c - latency;
    if (r >= 0 && r < n) {
      out[2 * r] = top.y;
      out[2 * r + 1] = top.y_valid;
    }
    top.clk = 1;
    top.eval();
  }
  top.final();
  return writeWords(argv[2], out) ? 0 : 4;
}
