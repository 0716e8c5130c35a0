// Test top of the floating-point units (tests/rtl-units.test.ts): every configuration the macro
// uses, fed the same operands each cycle. a, b are FP32 patterns; h holds two BF16 patterns
// (a in the upper half, b in the lower). Results are FP32 patterns, BF16 ones in the upper half.
module units_top #(
  parameter MUL_DEPTH = 2,
  parameter ADD_DEPTH = 2
) (
  input clk,
  input [31:0] a,
  input [31:0] b,
  input [31:0] h,
  output [31:0] mul32,     // FP32 × FP32 → FP32 (Mul block, FP32 macro; scalar multiplier)
  output [31:0] add32,     // FP32 + FP32 → FP32 (Add block, FP32 macro; adder tree; scalar adder)
  output [31:0] mul16,     // BF16 × BF16 → BF16 (Mul block, BF16 macro: prescale, ×s, ×γ)
  output [31:0] sq16,      // BF16 × BF16 → FP32 (the same multiplier: squares into the FP32 tree)
  output [31:0] add16,     // BF16 + BF16 → BF16 (Add block, BF16 macro)
  output [31:0] smul16,    // FP32 × FP32 → BF16 (scalar multiplier, BF16 macro)
  output [31:0] sadd16,    // FP32 + FP32 → BF16 (scalar adder, BF16 macro)
  output [31:0] round16    // FP32 → BF16 (combinational)
);
  wire [31:0] ha = {h[31:16], 16'd0};
  wire [31:0] hb = {h[15:0], 16'd0};
  fp_mul #(.FA(23), .FB(23), .ROUND(0), .DEPTH(MUL_DEPTH)) u_mul32 (
    .clk(clk), .a(a), .b(b), .rnd16(1'b0), .y(mul32));
  fp_add #(.FA(23), .FB(23), .ROUND(0), .DEPTH(ADD_DEPTH)) u_add32 (
    .clk(clk), .a(a), .b(b), .rnd16(1'b0), .y(add32));
  fp_mul #(.FA(7), .FB(7), .ROUND(2), .DEPTH(MUL_DEPTH)) u_mul16 (
    .clk(clk), .a(ha), .b(hb), .rnd16(1'b1), .y(mul16));
  fp_mul #(.FA(7), .FB(7), .ROUND(2), .DEPTH(MUL_DEPTH)) u_sq16 (
    .clk(clk), .a(ha), .b(hb), .rnd16(1'b0), .y(sq16));
  fp_add #(.FA(7), .FB(7), .ROUND(1), .DEPTH(ADD_DEPTH)) u_add16 (
    .clk(clk), .a(ha), .b(hb), .rnd16(1'b1), .y(add16));
  fp_mul #(.FA(23), .FB(23), .ROUND(2), .DEPTH(MUL_DEPTH)) u_smul16 (
    .clk(clk), .a(a), .b(b), .rnd16(1'b1), .y(smul16));
  fp_add #(.FA(23), .FB(23), .ROUND(2), .DEPTH(ADD_DEPTH)) u_sadd16 (
    .clk(clk), .a(a), .b(b), .rnd16(1'b1), .y(sadd16));
  wire [15:0] r16;
  fp_round_bf16 u_round (.x(a), .y(r16));
  assign round16 = {r16, 16'd0};
endmodule
