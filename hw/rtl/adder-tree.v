// The adder tree (docs/hardware.md §1): LANES − 1 FP32 adders in log2(LANES) levels, each level
// an fp_add of DEPTH cycles, so a row presented in cycle t has its sum at y in cycle
// t + log2(LANES)·DEPTH. One row a cycle. Lane i of a level is lane 2i + lane 2i+1 of the level
// below when both carry data, and lane 2i alone when only it does (hw/arith.ts treeLevel): the
// gated adder adds −0 instead of the absent lane, and x + (−0) = x for every x (−0 included;
// a NaN stays a NaN). `valid` marks the lanes that carry data (the row's first lanes).
//
// Nodes are numbered as a heap: the inputs are nodes LANES..2·LANES−1 (lane j is node
// LANES + j), node i adds nodes 2i and 2i+1, node 1 is the sum.
module adder_tree #(
  parameter LANES = 64,
  parameter DEPTH = 2
) (
  input clk,
  input [32*LANES-1:0] x,
  input [LANES-1:0] valid,
  output [31:0] y,
  output y_valid
);
  localparam NEG_ZERO = 32'h80000000;
  wire [32*2*LANES-1:0] node;
  wire [2*LANES-1:0] live;
  assign node[32*2*LANES-1:32*LANES] = x;
  assign live[2*LANES-1:LANES] = valid;
  assign node[31:0] = 32'd0; // node 0 is not used
  assign live[0] = 1'b0;
  genvar i;
  generate
    for (i = 1; i < LANES; i = i + 1) begin : adders
      wire [31:0] right = live[2*i+1] ? node[32*(2*i+1) +: 32] : NEG_ZERO;
      fp_add #(.FA(23), .FB(23), .ROUND(0), .DEPTH(DEPTH)) add (
        .clk(clk), .a(node[32*(2*i) +: 32]), .b(right), .rnd16(1'b0), .y(node[32*i +: 32]));
      fp_delay #(.W(1), .N(DEPTH)) live_delay (.clk(clk), .d(live[2*i]), .q(live[i]));
    end
  endgenerate
  assign y = node[63:32];
  assign y_valid = live[1];
endmodule
