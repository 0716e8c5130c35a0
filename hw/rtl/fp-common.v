// Small building blocks of the floating-point units (docs/design.md §9): a delay line of N
// registers (the pipeline depth is a parameter of every unit) and a leading-zero counter.
// Verilog-2005, synthesizable; no reset: a unit's registers carry data only, the controller
// that issues into them keeps the valid bits (docs/hardware.md, "RTL").

// N registers in a row; N = 0 is a wire. A value presented in cycle t is at q in cycle t + N.
module fp_delay #(
  parameter W = 32,
  parameter N = 1
) (
  input clk,
  input [W-1:0] d,
  output [W-1:0] q
);
  generate
    if (N == 0) begin : wire_through
      assign q = d;
    end else if (N == 1) begin : one
      reg [W-1:0] r;
      always @(posedge clk) r <= d;
      assign q = r;
    end else begin : regs
      // one vector shifted by W bits a cycle (r[W-1:0] is the first register)
      reg [W*N-1:0] r;
      always @(posedge clk) r <= {r[W*N-1-W:0], d};
      assign q = r[W*N-1 -: W];
    end
  endgenerate
endmodule

// Leading zeros of x (W when x = 0), as a binary tree: each level halves the candidates, so the
// logic is about W·log2(W) gates rather than a priority chain's W².
module fp_lzc #(
  parameter W = 48,
  parameter CW = 6
) (
  input [W-1:0] x,
  output [CW-1:0] n
);
  // Pad to a power of two with ones below x (they never count as leading zeros of a nonzero x;
  // x = 0 is detected separately). CW holds W, so P = 2^CW > W.
  localparam P = 1 << CW;
  localparam [CW-1:0] ALL_ZERO = W;
  wire [P-1:0] xp = {x, {(P - W) {1'b1}}};
  reg [CW-1:0] cnt;
  reg [P-1:0] v;
  integer level;
  always @* begin
    v = xp;
    cnt = 0;
    for (level = CW - 1; level >= 0; level = level - 1) begin
      // the upper 2^level bits of the remaining window are all zero: count them, look below
      if ((v >> (P - (1 << level))) == 0) begin
        cnt[level] = 1'b1;
        v = v << (1 << level);
      end
    end
  end
  assign n = (x == 0) ? ALL_ZERO : cnt;
endmodule
