// Icarus Verilog testbench of digit_top (tests/rtl-digit.test.ts, the smoke run on a second
// simulator): reads N records "a b h" (hex) from stimulus.hex, issues one every PERIOD cycles and
// writes each record's four results (hex, one record a line) to results.hex, taken at the units'
// depths after the issue, as tests/rtl/digit-harness.cpp does.
`timescale 1ns / 1ps
module digit_tb;
  parameter N = 256;
  parameter DEPTH32 = 27;
  parameter DEPTH16 = 11;
  localparam PERIOD = (DEPTH32 > DEPTH16 ? DEPTH32 : DEPTH16) + 1;
  reg clk = 0;
  reg go = 0;
  reg [31:0] stim [0:3*N-1];
  reg [31:0] res [0:4*N-1];
  reg [31:0] a = 0, b = 0, h = 0;
  wire [31:0] y [0:3];
  digit_top #(.DEPTH32(DEPTH32), .DEPTH16(DEPTH16)) dut (
    .clk(clk), .go(go), .a(a), .b(b), .h(h), .div32(y[0]), .sqrt32(y[1]), .div16(y[2]), .sqrt16(y[3])
  );
  integer i, c, f, k;
  initial begin
`ifdef DUMP
    $dumpfile("digit.vcd"); // iverilog -DDUMP: waveforms for gtkwave (docs/hardware.md, "RTL")
    $dumpvars(0, digit_tb);
`endif
    $readmemh("stimulus.hex", stim);
    for (i = 0; i < N; i = i + 1) begin
      for (c = 0; c < PERIOD; c = c + 1) begin
        go = c == 0;
        if (c == 0) begin
          a = stim[3*i]; b = stim[3*i+1]; h = stim[3*i+2];
        end
        #1 clk = 1;
        #1 clk = 0;
        go = 0;
        #1;
        if (c + 1 == DEPTH32) begin res[4*i] = y[0]; res[4*i+1] = y[1]; end
        if (c + 1 == DEPTH16) begin res[4*i+2] = y[2]; res[4*i+3] = y[3]; end
      end
    end
    f = $fopen("results.hex", "w");
    for (i = 0; i < N; i = i + 1) begin
      for (k = 0; k < 4; k = k + 1) $fwrite(f, "%h ", res[4*i+k]);
      $fwrite(f, "\n");
    end
    $fclose(f);
    $finish;
  end
endmodule
