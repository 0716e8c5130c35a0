// Icarus Verilog testbench of the macro (tests/rtl-macro.test.ts, the smoke run on a second
// simulator; docs/hardware.md §7 for a waveform): reads stimulus.hex, the words of
// tests/rtl/macro-harness.cpp's stimulus, drives the vectors as that harness does and writes the
// same result words to results.hex, one a line. With -DDUMP it writes macro.vcd (gtkwave).
`timescale 1ns / 1ps
module macro_tb;
  parameter N = 4096; // stimulus words
`include "macro-params.vh"
  localparam WB = WORD_BITS;
  reg clk = 0;
  reg rst = 1;
  reg [31:0] stim [0:N-1];
  reg param_we = 0;
  reg param_beta = 0;
  reg [BEAT_BITS-1:0] param_addr = 0;
  reg [HALF*WB-1:0] param_data = 0;
  reg start = 0;
  reg [DIM_BITS-1:0] d = 0;
  reg layer = 0;
  reg [31:0] inv_d = 0, sqrt_d = 0, eps_term = 0;
  reg [LANES*WB-1:0] in_data = 0;
  wire out_valid;
  wire [BEAT_BITS-1:0] out_beat;
  wire [HALF*WB-1:0] out_data;
  wire [2:0] phase;
  iterl2norm_macro dut (
    .clk(clk), .rst(rst), .param_we(param_we), .param_beta(param_beta), .param_addr(param_addr),
    .param_data(param_data), .start(start), .d(d), .layer(layer), .inv_d(inv_d), .sqrt_d(sqrt_d),
    .eps_term(eps_term), .in_data(in_data), .out_valid(out_valid), .out_beat(out_beat), .out_data(out_data),
    .phase(phase)
  );

  reg [31:0] result [0:MAX_DIM-1];
  reg [31:0] events [0:63];
  integer at, vectors, vi, i, b, c, e, dd, rows, f, which, nev, prev, cycles, xb, gb, bb, src;
  reg finished;

  task tick;
    begin
      #1 clk = 1;
      #1 clk = 0;
    end
  endtask

  initial begin
`ifdef DUMP
    $dumpfile("macro.vcd");
    $dumpvars(0, macro_tb);
`endif
    $readmemh("stimulus.hex", stim);
    f = $fopen("results.hex", "w");
    for (i = 0; i < 8; i = i + 1) tick;
    rst = 0;
    at = 2; // lanes and word bits: the header's
    vectors = stim[at];
    at = at + 1;
    for (vi = 0; vi < vectors; vi = vi + 1) begin
      dd = stim[at];
      xb = at + 5;
      gb = xb + dd;
      bb = gb + dd;
      for (which = 0; which < 2; which = which + 1) begin
        src = which == 0 ? gb : bb;
        for (b = 0; b * HALF < dd; b = b + 1) begin
          param_we = 1;
          param_beta = which;
          param_addr = b;
          for (i = 0; i < HALF; i = i + 1) begin
            e = b * HALF + i;
            param_data[i*WB +: WB] = e < dd ? stim[src + e][WB-1:0] : 0;
          end
          tick;
        end
      end
      param_we = 0;
      rows = (dd + LANES - 1) / LANES;
      prev = 0;
      nev = 0;
      finished = 0;
      for (c = 0; !finished && c < 1000000; c = c + 1) begin
        start = c == 0;
        d = dd;
        layer = stim[at + 1];
        inv_d = stim[at + 2];
        sqrt_d = stim[at + 3];
        eps_term = stim[at + 4];
        for (i = 0; i < LANES; i = i + 1) begin
          e = c * LANES + i;
          in_data[i*WB +: WB] = (c < rows && e < dd) ? stim[xb + e][WB-1:0] : 0;
        end
        #1;
        if (phase != prev) begin
          events[2*nev] = phase;
          events[2*nev+1] = c;
          nev = nev + 1;
          prev = phase;
        end
        if (out_valid)
          for (i = 0; i < HALF; i = i + 1)
            if (out_beat * HALF + i < dd) result[out_beat*HALF + i] = out_data[i*WB +: WB];
        if (phase == 7) begin
          finished = 1;
          cycles = c + 1;
        end
        clk = 1;
        #1 clk = 0;
      end
      start = 0;
      $fwrite(f, "%h\n%h\n", cycles, nev);
      for (i = 0; i < 2 * nev; i = i + 1) $fwrite(f, "%h\n", events[i]);
      for (i = 0; i < dd; i = i + 1) $fwrite(f, "%h\n", result[i]);
      at = bb + dd;
      for (i = 0; i < 3; i = i + 1) tick;
    end
    $fclose(f);
    $finish;
  end
endmodule
