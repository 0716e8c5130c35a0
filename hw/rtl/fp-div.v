// Divider a / b by radix-2 digit recurrence (restoring), the divide unit of method 'sqrt'
// (docs/hardware.md §1: the inverse norm as 1 / √m; docs/design.md §6). Operands are FP32
// patterns of which FA fraction bits are read (FA = 7: BF16 values, whose lower 16 bits are zero;
// the bits below are taken as zero); the quotient is rounded to nearest even at FA fraction bits,
// subnormal results and overflow included, any NaN result the quiet NaN 0x7FC00000.
//
// One operation at a time (the controller's programs issue one division each): `go` in cycle t
// loads the operands, and the result is at y from cycle t + DEPTH until the next result. The
// recurrence takes FA + 2 steps (the quotient's leading bit, FA fraction bits and a guard bit; the
// remainder gives the sticky bit), ceil((FA + 2) / DEPTH) per cycle: one step a cycle, on one
// (FA + 2)-bit subtractor, for the model's depth of a significand's bits plus 3
// (hw/config.ts digitRecurrenceCycles). The state is the partial remainder, the quotient and the
// divisor, as the cost model counts it (hw/cost.ts digitRecurrenceAreaUm2), plus the result register.
module fp_div #(
  parameter FA = 23,
  parameter DEPTH = 27
) (
  input clk,
  input go,
  input [31:0] a,
  input [31:0] b,
  output [31:0] y
);
  localparam W = FA + 2;
  localparam STEPS = W;
  localparam PER = (STEPS + DEPTH - 1) / DEPTH;
  // bits of a significand (hidden bit included) and of its leading-zero count
  localparam integer NW = FA + 1;
  localparam integer ZW = NW > 15 ? 5 : 4;
  localparam LW = 9; // bits of the cycle and step counters (DEPTH ≤ 256, hw/constants.ts MAX_ITERATIVE)

  // ── operands ──
  wire [7:0] ea = a[30:23];
  wire [7:0] eb = b[30:23];
  wire [FA-1:0] fa = a[22 -: FA];
  wire [FA-1:0] fb = b[22 -: FA];
  wire a_nan = ea == 8'hff && fa != 0;
  wire b_nan = eb == 8'hff && fb != 0;
  wire a_inf = ea == 8'hff && fa == 0;
  wire b_inf = eb == 8'hff && fb == 0;
  wire a_zero = ea == 0 && fa == 0;
  wire b_zero = eb == 0 && fb == 0;
  // significands normalised to a leading one at bit FA (a subnormal: exponent 1 − lz)
  wire [ZW-1:0] lza, lzb;
  fp_lzc #(.W(NW), .CW(ZW)) count_a (.x({ea != 0, fa}), .n(lza));
  fp_lzc #(.W(NW), .CW(ZW)) count_b (.x({eb != 0, fb}), .n(lzb));
  wire [FA:0] na = {ea != 0, fa} << lza;
  wire [FA:0] nb = {eb != 0, fb} << lzb;
  wire signed [10:0] xa = $signed({3'd0, (ea == 0) ? 8'd1 : ea}) - $signed({{(11 - ZW) {1'b0}}, lza});
  wire signed [10:0] xb = $signed({3'd0, (eb == 0) ? 8'd1 : eb}) - $signed({{(11 - ZW) {1'b0}}, lzb});
  // na / nb ∈ (1/2, 2): below 1 the dividend is doubled, so the first quotient bit is 1
  wire below = na < nb;
  wire [FA+1:0] rem0 = below ? {na, 1'b0} : {1'b0, na};
  wire signed [10:0] e0 = xa - xb + 11'sd127 - (below ? 11'sd1 : 11'sd0);
  wire nan0 = a_nan || b_nan || (a_zero && b_zero) || (a_inf && b_inf);
  wire inf0 = a_inf || b_zero;
  wire zero0 = a_zero || b_inf;
  wire sign0 = a[31] ^ b[31];

  // ── state ──
  reg [FA+1:0] rem_r;
  reg [W-1:0] q_r;
  reg [FA:0] d_r;
  reg [LW-1:0] steps_r, left_r;
  reg signed [10:0] e_r;
  reg nan_r, inf_r, zero_r, sign_r;
  reg [31:0] y_r;
  // the cycle counter's start: DEPTH − 1 < 2^LW
  /* verilator lint_off WIDTH */
  localparam [LW-1:0] LAST0 = DEPTH - 1;
  /* verilator lint_on WIDTH */

  // this cycle's steps, from the operands being issued or from the registers
  reg [FA+1:0] rem_c;
  reg [W-1:0] q_c;
  reg [FA:0] d_c;
  reg [LW-1:0] steps_c;
  integer s;
  always @* begin
    rem_c = go ? rem0 : rem_r;
    q_c = go ? {W{1'b0}} : q_r;
    d_c = go ? nb : d_r;
    steps_c = go ? STEPS : steps_r;
    for (s = 0; s < PER; s = s + 1) begin
      if (steps_c != 0) begin
        if (rem_c >= {1'b0, d_c}) begin
          q_c = {q_c[W-2:0], 1'b1};
          rem_c = (rem_c - {1'b0, d_c}) << 1;
        end else begin
          q_c = {q_c[W-2:0], 1'b0};
          rem_c = rem_c << 1;
        end
        steps_c = steps_c - 1'b1;
      end
    end
  end

  wire signed [10:0] e_c = go ? e0 : e_r;
  wire [31:0] rounded;
  fp_round_pack #(.FA(FA)) pack (.sign(go ? sign0 : sign_r), .e(e_c), .sig(q_c), .sticky(rem_c != 0), .y(rounded));
  wire nan_c = go ? nan0 : nan_r;
  wire inf_c = go ? inf0 : inf_r;
  wire zero_c = go ? zero0 : zero_r;
  wire sign_c = go ? sign0 : sign_r;
  wire [31:0] result = nan_c ? 32'h7fc00000 : inf_c ? {sign_c, 31'h7f800000} : zero_c ? {sign_c, 31'd0} : rounded;
  // the operation's last cycle: the result register is written at its end
  wire last = go ? DEPTH == 1 : left_r == 1;

  always @(posedge clk) begin
    rem_r <= rem_c;
    q_r <= q_c;
    d_r <= d_c;
    steps_r <= steps_c;
    left_r <= go ? LAST0 : (left_r != 0 ? left_r - 1'b1 : {LW{1'b0}});
    if (go) begin
      e_r <= e0;
      nan_r <= nan0;
      inf_r <= inf0;
      zero_r <= zero0;
      sign_r <= sign0;
    end
    if (last) y_r <= result;
  end
  assign y = y_r;
endmodule
