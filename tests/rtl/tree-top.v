// Test top of the adder tree (tests/rtl-tree.test.ts): the row's lanes and the count of its
// valid lanes (the model's Row.valid), turned into the tree's lane mask.
module tree_top #(
  parameter LANES = 64,
  parameter DEPTH = 2
) (
  input clk,
  input [32*LANES-1:0] x,
  input [15:0] count,
  output [31:0] y,
  output y_valid
);
  wire [LANES-1:0] valid;
  genvar j;
  generate
    for (j = 0; j < LANES; j = j + 1) begin : mask
      assign valid[j] = j < count;
    end
  endgenerate
  adder_tree #(.LANES(LANES), .DEPTH(DEPTH)) tree (.clk(clk), .x(x), .valid(valid), .y(y), .y_valid(y_valid));
endmodule
