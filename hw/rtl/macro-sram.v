// The macro's buffers (docs/hardware.md §1): a synchronous SRAM of DEPTH words of W bits, one write
// port and one read port (1R1W); a read issued in cycle t has its word at rdata in cycle t + 1 (the
// macro adds READ_DEPTH − 1 registers behind it). Behavioural: synthesis keeps it as a black box
// (scripts/hw-synth.js), as a compiled SRAM macro would be; a simulator models the array.
module macro_sram #(
  parameter W = 32,
  parameter DEPTH = 16,
  parameter AW = 4
) (
  input clk,
  input we,
  input [AW-1:0] waddr,
  input [W-1:0] wdata,
  input [AW-1:0] raddr,
  output reg [W-1:0] rdata
);
  reg [W-1:0] mem [0:DEPTH-1];
  always @(posedge clk) begin
    if (we) mem[waddr] <= wdata;
    rdata <= mem[raddr];
  end
endmodule
