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
  // W fits in CW bits (the parameter is 32 bits wide when a parent passes an expression)
  /* verilator lint_off WIDTH */
  localparam [CW-1:0] ALL_ZERO = W;
  /* verilator lint_on WIDTH */
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

// Rounds and packs a finite nonzero result of the digit-recurrence units (fp_div, fp_sqrt): the
// value sig·2^(e − 127 − (FA + 1)), sig's leading one at bit FA + 1 (FA fraction bits and a guard
// bit below it), sticky = some nonzero bit lies below the guard. Round to nearest even at FA
// fraction bits, packed as an FP32 pattern (FA = 7: a BF16 value, lower 16 bits zero). Below the
// normal range (e ≤ 0) the significand is shifted right into the subnormals with the lost bits
// in the sticky bit; e ≥ 255 is ±∞, and a carry of the rounding steps the exponent (to the next
// binade, from the subnormals to 2^−126, from the largest finite to ∞). Combinational.
module fp_round_pack #(
  parameter FA = 23
) (
  input sign,
  input signed [10:0] e,
  input [FA+1:0] sig,
  input sticky,
  output [31:0] y
);
  localparam W = FA + 2;
  // 1 − e places to the right below the normal range, clamped at W + 1 (all bits into the sticky)
  wire signed [10:0] rs_full = 11'sd1 - e;
  wire [5:0] rs = (e >= 11'sd1) ? 6'd0 : (rs_full > W + 1) ? W + 1 : rs_full[5:0];
  // upper W bits: the shifted significand; lower W: the bits shifted out
  wire [2*W-1:0] t = {sig, {W{1'b0}}} >> rs;
  wire [W-1:0] s = t[2*W-1:W];
  wire st = sticky || t[W-1:0] != 0;
  wire inc = s[0] && (st || s[1]);
  wire [7:0] e_field = (e >= 11'sd1) ? e[7:0] : 8'd0;
  wire [FA+7:0] r = {e_field, s[FA:1]} + {{(FA + 7) {1'b0}}, inc};
  generate
    if (FA == 23) begin : full
      assign y = (e >= 11'sd255) ? {sign, 31'h7f800000} : {sign, r};
    end else begin : narrow
      assign y = (e >= 11'sd255) ? {sign, 31'h7f800000} : {sign, r, {(23 - FA) {1'b0}}};
    end
  endgenerate
endmodule
