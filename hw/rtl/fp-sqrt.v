// Square root by radix-2 digit recurrence (restoring), the square-root unit of method 'sqrt'
// (docs/hardware.md §1: the inverse norm as 1 / √m; docs/design.md §6). The operand is an FP32
// pattern of which FA fraction bits are read (FA = 7: a BF16 value); the root is rounded to nearest
// even at FA fraction bits (it is always normal). √(±0) = ±0, √(+∞) = +∞; a NaN or a negative
// operand gives the quiet NaN 0x7FC00000.
//
// One operation at a time, as fp_div: `go` in cycle t, the result at y from cycle t + DEPTH. With
// the exponent made even, the significand S ∈ [1, 4) gives FA + 2 root bits (the leading 1, FA
// fraction bits, a guard bit) in FA + 2 steps, each taking the next two bits of S and one
// subtraction of (FA + 5) bits; the remainder gives the sticky bit.
module fp_sqrt #(
  parameter FA = 23,
  parameter DEPTH = 27
) (
  input clk,
  input go,
  input [31:0] a,
  output [31:0] y
);
  localparam W = FA + 2;
  localparam STEPS = W;
  localparam PER = (STEPS + DEPTH - 1) / DEPTH;
  // bits of a significand (hidden bit included) and of its leading-zero count
  localparam integer NW = FA + 1;
  localparam integer ZW = NW > 15 ? 5 : 4;
  localparam LW = 9; // bits of the cycle and step counters (DEPTH ≤ 256, hw/constants.ts MAX_ITERATIVE)
  // S left-aligned in an even number of bits: the pairs of S · 2^(FA + 2) from the top
  localparam SW = W + (W % 2);
  localparam RW = FA + 5;

  // ── operand ──
  wire [7:0] ea = a[30:23];
  wire [FA-1:0] fa = a[22 -: FA];
  wire nan0 = (ea == 8'hff && fa != 0) || (a[31] && (ea != 0 || fa != 0));
  wire zero0 = ea == 0 && fa == 0;
  wire inf0 = ea == 8'hff && fa == 0 && !a[31];
  wire [ZW-1:0] lz;
  fp_lzc #(.W(NW), .CW(ZW)) count (.x({ea != 0, fa}), .n(lz));
  wire [FA:0] n = {ea != 0, fa} << lz;
  // the unbiased exponent, made even: an odd one doubles the significand
  wire signed [10:0] x = $signed({3'd0, (ea == 0) ? 8'd1 : ea}) - $signed({{(11 - ZW) {1'b0}}, lz}) - 11'sd127;
  wire [W-1:0] sig = x[0] ? {n, 1'b0} : {1'b0, n};
  wire signed [10:0] x_even = x - (x[0] ? 11'sd1 : 11'sd0);
  wire signed [10:0] e0 = (x_even >>> 1) + 11'sd127;
  wire [SW-1:0] s0 = {sig, {(SW - W) {1'b0}}};

  // ── state ──
  reg [RW-1:0] rem_r;
  reg [W-1:0] q_r;
  reg [SW-1:0] s_r;
  reg [LW-1:0] steps_r, left_r;
  reg signed [10:0] e_r;
  reg nan_r, inf_r, zero_r, sign_r;
  reg [31:0] y_r;
  // the cycle counter's start: DEPTH − 1 < 2^LW
  /* verilator lint_off WIDTH */
  localparam [LW-1:0] LAST0 = DEPTH - 1;
  /* verilator lint_on WIDTH */

  reg [RW-1:0] rem_c, trial;
  reg [W-1:0] q_c;
  reg [SW-1:0] s_c;
  reg [LW-1:0] steps_c;
  integer k;
  always @* begin
    rem_c = go ? {RW{1'b0}} : rem_r;
    q_c = go ? {W{1'b0}} : q_r;
    s_c = go ? s0 : s_r;
    steps_c = go ? STEPS : steps_r;
    trial = {RW{1'b0}};
    for (k = 0; k < PER; k = k + 1) begin
      if (steps_c != 0) begin
        // remainder·4 + the next pair against 4q + 1
        rem_c = {rem_c[RW-3:0], s_c[SW-1 -: 2]};
        s_c = s_c << 2;
        trial = {1'b0, q_c, 2'b01};
        if (rem_c >= trial) begin
          rem_c = rem_c - trial;
          q_c = {q_c[W-2:0], 1'b1};
        end else begin
          q_c = {q_c[W-2:0], 1'b0};
        end
        steps_c = steps_c - 1'b1;
      end
    end
  end

  wire signed [10:0] e_c = go ? e0 : e_r;
  wire sign_c = go ? a[31] : sign_r;
  wire [31:0] rounded;
  fp_round_pack #(.FA(FA)) pack (.sign(1'b0), .e(e_c), .sig(q_c), .sticky(rem_c != 0), .y(rounded));
  wire nan_c = go ? nan0 : nan_r;
  wire inf_c = go ? inf0 : inf_r;
  wire zero_c = go ? zero0 : zero_r;
  wire [31:0] result = nan_c ? 32'h7fc00000 : inf_c ? 32'h7f800000 : zero_c ? {sign_c, 31'd0} : rounded;
  wire last = go ? DEPTH == 1 : left_r == 1;

  always @(posedge clk) begin
    rem_r <= rem_c;
    q_r <= q_c;
    s_r <= s_c;
    steps_r <= steps_c;
    left_r <= go ? LAST0 : (left_r != 0 ? left_r - 1'b1 : {LW{1'b0}});
    if (go) begin
      e_r <= e0;
      nan_r <= nan0;
      inf_r <= inf0;
      zero_r <= zero0;
      sign_r <= a[31];
    end
    if (last) y_r <= result;
  end
  assign y = y_r;
endmodule
