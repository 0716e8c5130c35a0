// Test top of the digit-recurrence units (tests/rtl-digit.test.ts): the divider and the square
// root of each format the macro instantiates, issued together by `go`. a, b are FP32 patterns; h
// holds two BF16 patterns (a in the upper half, b in the lower). Results are FP32 patterns, BF16
// ones in the upper half.
module digit_top #(
  parameter DEPTH32 = 27,
  parameter DEPTH16 = 11
) (
  input clk,
  input go,
  input [31:0] a,
  input [31:0] b,
  input [31:0] h,
  output [31:0] div32,   // FP32 / FP32 → FP32 (divider, FP32 macro)
  output [31:0] sqrt32,  // √FP32 → FP32 (square-root unit, FP32 macro)
  output [31:0] div16,   // BF16 / BF16 → BF16 (divider, BF16 macro)
  output [31:0] sqrt16   // √BF16 → BF16 (square-root unit, BF16 macro)
);
  fp_div #(.FA(23), .DEPTH(DEPTH32)) u_div32 (.clk(clk), .go(go), .a(a), .b(b), .y(div32));
  fp_sqrt #(.FA(23), .DEPTH(DEPTH32)) u_sqrt32 (.clk(clk), .go(go), .a(a), .y(sqrt32));
  fp_div #(.FA(7), .DEPTH(DEPTH16)) u_div16 (
    .clk(clk), .go(go), .a({h[31:16], 16'd0}), .b({h[15:0], 16'd0}), .y(div16));
  fp_sqrt #(.FA(7), .DEPTH(DEPTH16)) u_sqrt16 (.clk(clk), .go(go), .a({h[31:16], 16'd0}), .y(sqrt16));
endmodule
