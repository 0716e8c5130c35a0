// Exponent-unit arithmetic (docs/hardware.md §1, the exponent unit): scaling by a power of two and
// the exponent of a value, combinational. Operands are FP32 patterns.

// y = RNE(x·2^k) in binary32 (docs/design.md §3): k is a signed integer, x any pattern. A normal
// result is exact; below 2^−126 the significand is shifted right and rounded to nearest even
// (a subnormal input is normalised first); above the range the result is ±∞. ±0, ±∞ keep their
// value; any NaN becomes the quiet NaN 0x7FC00000, as the FP units give.
module fp_scale2 #(
  parameter KW = 10
) (
  input [31:0] x,
  input signed [KW-1:0] k,
  output [31:0] y
);
  wire nan = x[30:23] == 8'hff && x[22:0] != 0;
  wire inf = x[30:0] == 31'h7f800000;
  wire zero = x[30:0] == 0;
  // x = sig·2^(ex − 150) with sig's leading one at bit 23 (a subnormal x: ex = 1 − lz ≤ 0)
  wire [4:0] lz;
  fp_lzc #(.W(24), .CW(5)) count (.x({x[30:23] != 0, x[22:0]}), .n(lz));
  wire [23:0] sig = {x[30:23] != 0, x[22:0]} << lz;
  wire signed [12:0] ex = (x[30:23] == 0) ? 13'sd1 - $signed({8'd0, lz}) : $signed({5'd0, x[30:23]});
  wire signed [12:0] ne = ex + {{(13 - KW) {k[KW-1]}}, k};
  // below the normal range: shift right by 1 − ne (clamped: 26 and more round to zero alike)
  wire signed [12:0] rs_full = 13'sd1 - ne;
  wire [4:0] rs = (ne >= 13'sd1) ? 5'd0 : (rs_full > 13'sd26) ? 5'd26 : rs_full[4:0];
  wire [48:0] t = {sig, 25'd0} >> rs;
  wire guard = t[24];
  wire sticky = t[23:0] != 0;
  wire inc = guard && (sticky || t[25]);
  wire [30:0] sub = {8'd0, t[47:25]} + {30'd0, inc};
  wire [31:0] scaled = (ne >= 13'sd255) ? {x[31], 31'h7f800000}
    : (ne >= 13'sd1) ? {x[31], ne[7:0], sig[22:0]}
    : {x[31], sub};
  assign y = nan ? 32'h7fc00000 : (inf || zero) ? x : scaled;
endmodule

// The unbiased exponent e of a finite nonzero x (x = s·2^e, 1 ≤ s < 2; subnormals normalised), as
// js/reference/rsqrt.ts exponentOf; field − 127 for ±∞ and NaN (128), and −127 − 23 = −150 for ±0.
module fp_exponent (
  input [31:0] x,
  output signed [9:0] e
);
  wire [4:0] lz;
  fp_lzc #(.W(23), .CW(5)) count (.x(x[22:0]), .n(lz));
  // a subnormal's leading one at bit 22 − lz weighs 2^(22 − lz − 149)
  assign e = (x[30:23] != 0) ? $signed({2'd0, x[30:23]}) - 10'sd127 : -10'sd127 - $signed({5'd0, lz});
endmodule
