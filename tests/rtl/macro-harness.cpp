// Verilator harness of the macro (hw/rtl/macro.v, tests/rtl-macro.test.ts). Stimulus: 32-bit words,
// first the configuration's lanes and word bits and the vector count, then per vector: d, layer
// (1 LayerNorm, 0 L2), fl32(1/d), √d in F, the ε-term, then d words each of x, γ and β (FP32
// patterns, or BF16 patterns in the low half).
// Per vector it writes γ and β beat by beat, raises `start` with the constants in cycle 0, presents
// row r of x in cycle r, and records every cycle's phase until the controller reports done.
// Results per vector: the cycle count (first input beat to last output beat, both included), the
// number of phase changes and (phase, cycle) for each, then d output words.
// Usage: macro <stimulus> <results>   (waveforms: the Icarus testbench, tests/rtl/macro-tb.v)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <vector>

#include "Viterl2norm_macro.h"
#include "harness-io.h"
#include "verilated.h"

// Sets `width` bits at `pos` of a port of any Verilator width (an integer, or a VlWide of words).
template <typename T>
static void setBits(T& port, int pos, int width, uint32_t v) {
  if constexpr (std::is_integral_v<T>) {
    const T mask = ((width >= 64 ? ~T(0) : ((T(1) << width) - 1))) << pos;
    port = static_cast<T>((port & ~mask) | ((static_cast<T>(v) << pos) & mask));
  } else {
    for (int b = 0; b < width; b++) {
      const int at = pos + b;
      const uint32_t bit = 1u << (at % 32);
      if ((v >> b) & 1u) port[at / 32] |= bit;
      else port[at / 32] &= ~bit;
    }
  }
}

template <typename T>
static uint32_t getBits(const T& port, int pos, int width) {
  uint64_t out = 0;
  if constexpr (std::is_integral_v<T>) {
    out = static_cast<uint64_t>(port) >> pos;
  } else {
    for (int b = 0; b < width; b++) out |= static_cast<uint64_t>((port[(pos + b) / 32] >> ((pos + b) % 32)) & 1u) << b;
  }
  return static_cast<uint32_t>(width >= 32 ? out : out & ((1ull << width) - 1));
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s stimulus results\n", argv[0]);
    return 2;
  }
  std::vector<uint32_t> stim;
  if (!readRecords(argv[1], 1, stim)) return 3;

  VerilatedContext ctx;
  Viterl2norm_macro top{&ctx};
  size_t at = 0;
  const int lanes = static_cast<int>(stim.at(at++));
  const int wb = static_cast<int>(stim.at(at++));
  const int half = lanes / 2;
  auto tick = [&]() {
    top.clk = 0;
    top.eval();
    top.clk = 1;
    top.eval();
  };
  top.rst = 1;
  for (int i = 0; i < 8; i++) tick();
  top.rst = 0;

  std::vector<uint32_t> out;
  const uint32_t vectors = stim.at(at++);
  for (uint32_t vi = 0; vi < vectors; vi++) {
    const uint32_t d = stim.at(at++);
    const uint32_t layer = stim.at(at++);
    const uint32_t invD = stim.at(at++);
    const uint32_t sqrtD = stim.at(at++);
    const uint32_t epsTerm = stim.at(at++);
    const uint32_t* x = &stim.at(at);
    const uint32_t* gamma = x + d;
    const uint32_t* beta = gamma + d;
    at += 3 * static_cast<size_t>(d);
    // γ and β, one beat of L/2 words a cycle
    for (int which = 0; which < 2; which++) {
      const uint32_t* p = which == 0 ? gamma : beta;
      for (uint32_t b = 0; b * half < d; b++) {
        top.param_we = 1;
        top.param_beta = which;
        top.param_addr = b;
        for (int i = 0; i < half; i++) {
          const uint32_t e = b * half + i;
          setBits(top.param_data, i * wb, wb, e < d ? p[e] : 0);
        }
        tick();
      }
    }
    top.param_we = 0;
    std::vector<uint32_t> events;
    std::vector<uint32_t> result(d, 0xdeadbeef);
    const uint32_t rows = (d + lanes - 1) / lanes;
    uint32_t prev = 0;
    uint32_t cycles = 0;
    for (uint32_t c = 0;; c++) {
      if (c > 1000000) {
        std::fprintf(stderr, "vector %u: no done after %u cycles\n", vi, c);
        return 5;
      }
      top.start = c == 0;
      top.d = d;
      top.layer = layer;
      top.inv_d = invD;
      top.sqrt_d = sqrtD;
      top.eps_term = epsTerm;
      for (int i = 0; i < lanes; i++) {
        const uint32_t e = c * lanes + i;
        setBits(top.in_data, i * wb, wb, c < rows && e < d ? x[e] : 0);
      }
      top.clk = 0;
      top.eval();
      const uint32_t phase = top.phase;
      if (phase != prev) {
        events.push_back(phase);
        events.push_back(c);
        prev = phase;
      }
      if (top.out_valid) {
        const uint32_t beat = top.out_beat;
        for (int i = 0; i < half; i++) {
          const uint32_t e = beat * half + i;
          if (e < d) result[e] = getBits(top.out_data, i * wb, wb);
        }
      }
      tick();
      if (phase == 7) {
        cycles = c + 1;
        break;
      }
    }
    top.start = 0;
    out.push_back(cycles);
    out.push_back(static_cast<uint32_t>(events.size() / 2));
    out.insert(out.end(), events.begin(), events.end());
    out.insert(out.end(), result.begin(), result.end());
    for (int i = 0; i < 3; i++) tick(); // idle between vectors
  }
  top.final();
  return writeWords(argv[2], out) ? 0 : 4;
}
