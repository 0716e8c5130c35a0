// Icarus Verilog testbench of units_top (tests/rtl-units.test.ts, the smoke run on a second
// simulator): reads N records "a b h" (hex) from stimulus.hex, presents one per cycle and writes
// each record's eight results (hex, one record a line) to results.hex, each taken its unit's depth
// after issue, as tests/rtl/units-harness.cpp does.
`timescale 1ns / 1ps
module units_tb;
  parameter N = 256;
  parameter MUL_DEPTH = 2;
  parameter ADD_DEPTH = 2;
  localparam LAST = N + (MUL_DEPTH > ADD_DEPTH ? MUL_DEPTH : ADD_DEPTH);
  reg clk = 0;
  reg [31:0] stim [0:3*N-1];
  reg [31:0] res [0:8*N-1];
  reg [31:0] a = 0, b = 0, h = 0;
  wire [31:0] y [0:7];
  units_top #(.MUL_DEPTH(MUL_DEPTH), .ADD_DEPTH(ADD_DEPTH)) dut (
    .clk(clk), .a(a), .b(b), .h(h),
    .mul32(y[0]), .add32(y[1]), .mul16(y[2]), .sq16(y[3]),
    .add16(y[4]), .smul16(y[5]), .sadd16(y[6]), .round16(y[7])
  );
  integer c, f, k;
  initial begin
`ifdef DUMP
    $dumpfile("units.vcd"); // iverilog -DDUMP: waveforms for gtkwave (docs/hardware.md, "RTL")
    $dumpvars(0, units_tb);
`endif
    $readmemh("stimulus.hex", stim);
    for (c = 0; c <= LAST; c = c + 1) begin
      if (c < N) begin
        a = stim[3*c]; b = stim[3*c+1]; h = stim[3*c+2];
      end
      #1;
      if (c >= MUL_DEPTH && c - MUL_DEPTH < N) begin
        res[8*(c-MUL_DEPTH)+0] = y[0]; res[8*(c-MUL_DEPTH)+2] = y[2];
        res[8*(c-MUL_DEPTH)+3] = y[3]; res[8*(c-MUL_DEPTH)+5] = y[5];
      end
      if (c >= ADD_DEPTH && c - ADD_DEPTH < N) begin
        res[8*(c-ADD_DEPTH)+1] = y[1]; res[8*(c-ADD_DEPTH)+4] = y[4]; res[8*(c-ADD_DEPTH)+6] = y[6];
      end
      if (c < N) res[8*c+7] = y[7];
      clk = 1; #1; clk = 0;
    end
    f = $fopen("results.hex", "w");
    for (c = 0; c < N; c = c + 1) begin
      for (k = 0; k < 8; k = k + 1) $fwrite(f, "%h ", res[8*c+k]);
      $fwrite(f, "\n");
    end
    $fclose(f);
    $finish;
  end
endmodule
