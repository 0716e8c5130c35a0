// Binary32 multiplier, round to nearest even, subnormal operands and results (no flush), any NaN
// result the quiet NaN 0x7FC00000 (the model compares NaN as a class). A BF16 result is this
// FP32 result rounded to BF16 (hw/arith.ts: the macro's BF16 units round twice, as the model).
//
// Operands are FP32 bit patterns; FA and FB are the fraction bits an operand can carry (23 for
// FP32, 7 for BF16 values, whose lower 16 bits are zero): the bits below are taken as zero, so
// synthesis keeps an 8 × 8 significand array for BF16 operands.
//
// DEPTH registers (docs/design.md §9, MacroLatencies.mul): a product issued in cycle t is at y in
// cycle t + DEPTH. Stage 1: significand product, exponent sum, special cases; stage 2: normalise,
// round, pack (with DEPTH = 1 both stages are one cycle; DEPTH > 2 adds registers after stage 2).
module fp_mul #(
  parameter FA = 23,
  parameter FB = 23,
  parameter ROUND = 0,
  parameter DEPTH = 2
) (
  input clk,
  input [31:0] a,
  input [31:0] b,
  input rnd16,
  output [31:0] y
);
  // ── stage 1 ──
  wire [7:0] ea = a[30:23];
  wire [7:0] eb = b[30:23];
  wire [22:0] fa = a[22:0] & ~((23'd1 << (23 - FA)) - 23'd1);
  wire [22:0] fb = b[22:0] & ~((23'd1 << (23 - FB)) - 23'd1);
  wire a_inf = ea == 8'hff && fa == 0;
  wire b_inf = eb == 8'hff && fb == 0;
  wire a_nan = ea == 8'hff && fa != 0;
  wire b_nan = eb == 8'hff && fb != 0;
  wire a_zero = ea == 0 && fa == 0;
  wire b_zero = eb == 0 && fb == 0;
  // significands with the hidden bit; a subnormal has exponent 1 and no hidden bit
  wire [23:0] ma = {ea != 0, fa};
  wire [23:0] mb = {eb != 0, fb};
  wire [8:0] exp_sum = {1'b0, (ea == 0) ? 8'd1 : ea} + {1'b0, (eb == 0) ? 8'd1 : eb};
  wire [47:0] prod = ma * mb;
  wire s1_nan = a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero);
  wire s1_inf = a_inf || b_inf;
  wire s1_sign = a[31] ^ b[31];

  wire [47:0] p;
  wire [8:0] t;
  wire sign, nan, inf, r16;
  fp_delay #(.W(48 + 9 + 4), .N(DEPTH >= 2 ? 1 : 0)) mid (
    .clk(clk),
    .d({prod, exp_sum, s1_sign, s1_nan, s1_inf, rnd16}),
    .q({p, t, sign, nan, inf, r16})
  );

  // ── stage 2 ──
  // The product is p·2^(t − 254 − 46). With p's leading one at bit 47 − lz the biased exponent is
  // t − 126 − lz. Normal: shift left by lz. Below the normal range the exponent field is 0 and
  // bit 47 weighs 2^−126: shift left by t − 127 (t ≥ 127) or right by 127 − t with a sticky bit.
  wire [5:0] lz;
  fp_lzc #(.W(48), .CW(6)) count (.x(p), .n(lz));
  wire normal = {1'b0, t} >= 10'd127 + {4'd0, lz};
  wire left_sub = !normal && t >= 9'd127;
  wire [8:0] rs_full = 9'd127 - t;
  wire [5:0] rs = (t >= 9'd127) ? 6'd0 : (rs_full > 9'd50) ? 6'd50 : rs_full[5:0];
  wire [8:0] ls_sub = t - 9'd127; // < lz ≤ 47 when left_sub
  wire [5:0] ls = normal ? lz : left_sub ? ls_sub[5:0] : 6'd0;
  wire [47:0] shifted = (p << ls) >> rs;
  wire lost = (p & ~({48{1'b1}} << rs)) != 0;
  wire [9:0] e_norm = {1'b0, t} - 10'd126 - {4'd0, lz};
  wire [7:0] e_field = normal ? e_norm[7:0] : 8'd0;
  wire overflow = normal && e_norm >= 10'd255;
  wire guard = shifted[23];
  wire sticky = (shifted[22:0] != 0) || lost;
  wire inc = guard && (sticky || shifted[24]);
  // the carry of the increment steps the exponent (a subnormal rounding up to 2^−126, 1.11…1 to
  // the next binade, the largest finite to ∞)
  wire [30:0] rounded = {e_field, shifted[46:24]} + {30'd0, inc};
  wire [31:0] f32 = nan ? 32'h7fc00000
    : inf || overflow ? {sign, 31'h7f800000}
    : p == 0 ? {sign, 31'd0}
    : {sign, rounded};

  wire [31:0] res;
  fp_result #(.ROUND(ROUND)) out_round (.f32(f32), .rnd16(r16), .y(res));
  fp_delay #(.W(32), .N(DEPTH >= 2 ? DEPTH - 1 : 1)) out (.clk(clk), .d(res), .q(y));
endmodule
