// FP32 → BF16 rounding (docs/design.md §3): the library's rule (js/formats.ts bf16BitsFromF32Bits),
// round to nearest even on the f32 bit pattern: add 0x7FFF plus the kept lsb, keep the upper half.
// A carry out of the fraction steps the exponent (so the largest values round to ±∞ and subnormals
// to the next binade, as the rule does); any NaN becomes the quiet NaN 0x7FC0. Combinational.
module fp_round_bf16 (
  input [31:0] x,
  output [15:0] y
);
  wire nan = (x[30:23] == 8'hff) && (x[22:0] != 0);
  wire [31:0] sum = x + 32'h7fff + {31'd0, x[16]};
  assign y = nan ? 16'h7fc0 : sum[31:16];
endmodule

// The output stage every unit ends with: the FP32 result, or (rnd16) its BF16 rounding in the upper
// half with a zero lower half. ROUND: 0 FP32 only, 1 BF16 only, 2 chosen per operation by rnd16.
module fp_result #(
  parameter ROUND = 0
) (
  input [31:0] f32,
  input rnd16,
  output [31:0] y
);
  wire [15:0] h;
  generate
    if (ROUND == 0) begin : f32_only
      assign y = f32;
    end else begin : with_bf16
      fp_round_bf16 r (.x(f32), .y(h));
      assign y = (ROUND == 1 || rnd16) ? {h, 16'd0} : f32;
    end
  endgenerate
endmodule
