// Binary32 adder, round to nearest even, subnormal operands and results (no flush), any NaN
// result the quiet NaN 0x7FC00000 (the model compares NaN as a class). An exact zero sum is +0
// unless both operands are −0. A subtraction is an add of the negated operand: a − b = a + (−b)
// in every case (signed zeros and NaN included), so the units that subtract flip b's sign.
// A BF16 result is the FP32 result rounded to BF16 (hw/arith.ts). FA, FB and DEPTH as fp_mul's.
//
// Stage 1: order the operands by magnitude, align the smaller with guard, round and sticky bits,
// add or subtract; stage 2: normalise, round, pack.
module fp_add #(
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
  wire [31:0] am = {a[31:23], a[22:0] & ~((23'd1 << (23 - FA)) - 23'd1)};
  wire [31:0] bm = {b[31:23], b[22:0] & ~((23'd1 << (23 - FB)) - 23'd1)};
  wire a_nan = am[30:23] == 8'hff && am[22:0] != 0;
  wire b_nan = bm[30:23] == 8'hff && bm[22:0] != 0;
  wire a_inf = am[30:0] == 31'h7f800000;
  wire b_inf = bm[30:0] == 31'h7f800000;
  wire swap = bm[30:0] > am[30:0];
  wire [31:0] x = swap ? bm : am; // the larger magnitude
  wire [31:0] z = swap ? am : bm;
  wire [7:0] ex = (x[30:23] == 0) ? 8'd1 : x[30:23];
  wire [7:0] ez = (z[30:23] == 0) ? 8'd1 : z[30:23];
  wire [7:0] diff = ex - ez;
  wire [4:0] sh = (diff > 8'd27) ? 5'd27 : diff[4:0];
  wire [26:0] mx = {x[30:23] != 0, x[22:0], 3'b000};
  wire [26:0] mz = {z[30:23] != 0, z[22:0], 3'b000};
  wire [26:0] mz_shifted = mz >> sh;
  wire z_lost = (mz & ~({27{1'b1}} << sh)) != 0;
  wire [26:0] mz_aligned = {mz_shifted[26:1], mz_shifted[0] | z_lost};
  wire subtract = x[31] ^ z[31];
  wire [27:0] s1_sum = subtract ? {1'b0, mx} - {1'b0, mz_aligned} : {1'b0, mx} + {1'b0, mz_aligned};
  wire s1_nan = a_nan || b_nan || (a_inf && b_inf && (a[31] ^ b[31]));
  wire s1_inf = a_inf || b_inf;
  wire s1_inf_sign = a_inf ? a[31] : b[31];
  wire s1_zero_sign = a[31] & b[31];

  wire [27:0] s;
  wire [7:0] e;
  wire sign, nan, inf, inf_sign, zero_sign, r16;
  fp_delay #(.W(28 + 8 + 6), .N(DEPTH >= 2 ? 1 : 0)) mid (
    .clk(clk),
    .d({s1_sum, ex, x[31], s1_nan, s1_inf, s1_inf_sign, s1_zero_sign, rnd16}),
    .q({s, e, sign, nan, inf, inf_sign, zero_sign, r16})
  );

  // ── stage 2 ──
  // A carry out (s[27]) shifts right by one, keeping the lost bit as sticky; otherwise shift left
  // by the leading zeros but not below exponent 1 (a subnormal result has exponent field 0).
  wire [4:0] lz;
  fp_lzc #(.W(27), .CW(5)) count (.x(s[26:0]), .n(lz));
  wire [7:0] e_minus_1 = e - 8'd1;
  wire [4:0] ls = ({3'd0, lz} <= e_minus_1) ? lz : e_minus_1[4:0];
  wire [26:0] left = s[26:0] << ls;
  wire [26:0] n = s[27] ? {s[27:2], s[1] | s[0]} : left;
  wire [8:0] e_carry = {1'b0, e} + 9'd1;
  wire [7:0] e_left = e - {3'd0, ls};
  wire [8:0] e_res = s[27] ? e_carry : (left[26] ? {1'b0, e_left} : 9'd0);
  wire overflow = e_res >= 9'd255;
  wire guard = n[2];
  wire sticky = n[1] | n[0];
  wire inc = guard && (sticky || n[3]);
  wire [30:0] rounded = {e_res[7:0], n[25:3]} + {30'd0, inc};
  wire [31:0] f32 = nan ? 32'h7fc00000
    : inf ? {inf_sign, 31'h7f800000}
    : s == 0 ? {zero_sign, 31'd0}
    : overflow ? {sign, 31'h7f800000}
    : {sign, rounded};

  wire [31:0] res;
  fp_result #(.ROUND(ROUND)) out_round (.f32(f32), .rnd16(r16), .y(res));
  fp_delay #(.W(32), .N(DEPTH >= 2 ? DEPTH - 1 : 1)) out (.clk(clk), .d(res), .q(y));
endmodule
