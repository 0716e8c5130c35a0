// The iteration controller's scalar units (docs/hardware.md §1; hw/scalar.ts ScalarUnit): the
// exponent unit, an FP32 multiplier and an FP32 adder (results rounded to F, or kept in FP32 where
// the program says so), running one program of the ROM (macro-params.vh, from hw/rtl-config.ts
// scalarPrograms) at a time. Issue rule, as the model's: each cycle each unit issues the oldest
// operation of the program not yet issued whose dependences have completed (in this cycle
// included); a program started in a cycle can issue in that cycle, and it is finished in the
// cycle its last operation completes. Every operation's result is kept by its index (the
// dependences name indices), and a result completing in a cycle is forwarded to the operations
// issued in that cycle.
//
// The exponent unit (depth EXP_DEPTH) computes at issue: prescale (k from the largest exponent
// field, capped so that ε·4^k stays finite; 2^k; ε·4^k as two rounded scalings by 2^k), normalise
// (m′ = m·2^−2j ∈ [1, 4), a₀ and λ for e = 0 or 1, the row rule's special result), back (a·2^−j),
// and the FISR seed. Method 'sqrt' adds the digit-recurrence square-root and divide units
// (fp_sqrt, fp_div; depths SQRT_DEPTH, DIV_DEPTH), one operation each per program.
// Operation indices are compared with loop integers and sized parameters on purpose.
/* verilator lint_off WIDTH */
module scalar_unit (
  input clk,
  input rst,
  input start,           // load program `prog` in this cycle (the previous one has finished)
  input [2:0] prog,      // index in RTL_PROGRAMS: prescale, mean, centring, m, inverseNorm
  input [7:0] field,     // the largest exponent field of the row (prescale)
  input [31:0] eps_term, // d·ε (LayerNorm) or ε (L2), FP32
  input [31:0] sum,      // S, the sum of the shifted row
  input [31:0] inv_d,    // fl32(1/d)
  input [31:0] x0,       // x₀·2^k
  input [31:0] x0c,      // x₀·2^k in LayerNorm mode, +0 in L2
  input [31:0] delta,    // δ (+0 in L2)
  input [31:0] mean,     // c (+0 in L2)
  input [31:0] d_f32,    // d as FP32
  input [31:0] q,        // Σ R(x − c)²
  input [31:0] p_shift,  // P′
  input [31:0] m,        // the norm's argument
  input [31:0] scale,    // √d (LayerNorm) or 1 (L2)
  output fin,            // the program's last operation completes in this cycle
  output [31:0] result,  // its result
  output [31:0] delta_op, // the result of operation MEAN_DELTA_OP (read when the mean program finishes)
  output [31:0] err_op,  // the result of operation CENTRING_ERR_OP (centring program)
  output reg nan_row,    // prescale: the row held NaN or ±∞ (field 255)
  output reg [31:0] factor,     // prescale: 2^k
  output reg [31:0] eps_scaled  // prescale: fl32(fl32(ε-term·2^k)·2^k)
);
`include "macro-params.vh"
  localparam N = SCALAR_SLOTS;
  localparam IW = SCALAR_IDX;
  localparam U_EXP = 0, U_MUL = 1, U_ADD = 2, U_SQRT = 3, U_DIV = 4;
  localparam F_PRESCALE = 1, F_NORMALIZE = 2, F_BACK = 3, F_SEED = 4, F_FINAL = 5;
  localparam S_DEP0 = 0, S_DEP1 = 1, S_SUM = 2, S_INVD = 3, S_X0 = 4, S_X0C = 5, S_DELTA = 6, S_MEAN = 7,
    S_DF = 8, S_Q = 9, S_PSHIFT = 10, S_EPS = 11, S_M = 12, S_MPRIME = 13, S_LAMBDA = 14, S_ONE = 15,
    S_HALF = 16, S_THREE_HALVES = 17, S_SCALE = 18;
  localparam ROUND = FORMAT_BF16 ? 2 : 0;

  // ── the program: ROM words of the running (or starting) program ──
  reg [2:0] prog_r;
  reg running;
  wire [2:0] p = start ? prog : prog_r;
  // program lengths and ROM words by constant selects and a 5-way choice (a variable part-select of
  // the whole ROM would synthesise to a shifter as wide as the ROM)
  function [IW:0] len_of(input [2:0] k);
    case (k)
      0: len_of = PROG_LEN[0 +: IW+1];
      1: len_of = PROG_LEN[(IW+1) +: IW+1];
      2: len_of = PROG_LEN[2*(IW+1) +: IW+1];
      3: len_of = PROG_LEN[3*(IW+1) +: IW+1];
      default: len_of = PROG_LEN[4*(IW+1) +: IW+1];
    endcase
  endfunction
  wire [IW:0] len = len_of(p);
  // the running program's length: it finishes in the cycle another may start
  wire [IW:0] len_run = len_of(prog_r);
  reg [N-1:0] issued, done;

  wire [2:0] op_unit [0:N-1];
  wire [2:0] op_fn [0:N-1];
  wire [4:0] op_a [0:N-1];
  wire [4:0] op_b [0:N-1];
  wire op_neg [0:N-1];
  wire op_f32 [0:N-1];
  wire op_dv0 [0:N-1];
  wire op_dv1 [0:N-1];
  wire [IW-1:0] op_d0 [0:N-1];
  wire [IW-1:0] op_d1 [0:N-1];

  // completions of this cycle: unit outputs and the index they carry
  wire ce, cm, ca, cs, cd;
  wire [IW-1:0] ce_i, cm_i, ca_i, cs_i, cd_i;
  wire [31:0] ce_v, cm_v, ca_v, cs_v, cd_v;
  wire [N-1:0] completing;
  // a starting program has completed nothing (a completion of this cycle is its predecessor's last)
  wire [N-1:0] done_now = start ? {N{1'b0}} : (done | completing);
  wire [N-1:0] issued_now = start ? {N{1'b0}} : issued;
  wire [N-1:0] ready;

  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : ops
      wire [SCALAR_OPW-1:0] w = p == 0 ? SCALAR_ROM[i*SCALAR_OPW +: SCALAR_OPW]
        : p == 1 ? SCALAR_ROM[(N + i)*SCALAR_OPW +: SCALAR_OPW]
        : p == 2 ? SCALAR_ROM[(2*N + i)*SCALAR_OPW +: SCALAR_OPW]
        : p == 3 ? SCALAR_ROM[(3*N + i)*SCALAR_OPW +: SCALAR_OPW]
        : SCALAR_ROM[(4*N + i)*SCALAR_OPW +: SCALAR_OPW];
      assign {op_unit[i], op_fn[i], op_a[i], op_b[i], op_neg[i], op_f32[i], op_dv0[i], op_d0[i], op_dv1[i],
        op_d1[i]} = w;
      assign completing[i] = (ce && ce_i == i) || (cm && cm_i == i) || (ca && ca_i == i) || (cs && cs_i == i)
        || (cd && cd_i == i);
      assign ready[i] = i < len && !issued_now[i] && (!op_dv0[i] || done_now[op_d0[i]])
        && (!op_dv1[i] || done_now[op_d1[i]]);
    end
  endgenerate

  // ── issue: per unit, the lowest ready index ──
  reg se, sm, sa, ss, sd;
  reg [IW-1:0] se_i, sm_i, sa_i, ss_i, sd_i;
  integer j;
  always @* begin
    se = 0; sm = 0; sa = 0; ss = 0; sd = 0; se_i = 0; sm_i = 0; sa_i = 0; ss_i = 0; sd_i = 0;
    for (j = N - 1; j >= 0; j = j - 1) begin
      if (ready[j] && op_unit[j] == U_EXP) begin se = 1; se_i = j; end
      if (ready[j] && op_unit[j] == U_MUL) begin sm = 1; sm_i = j; end
      if (ready[j] && op_unit[j] == U_ADD) begin sa = 1; sa_i = j; end
      if (ready[j] && op_unit[j] == U_SQRT) begin ss = 1; ss_i = j; end
      if (ready[j] && op_unit[j] == U_DIV) begin sd = 1; sd_i = j; end
    end
  end

  // ── operands ──
  reg [31:0] m_prime, lambda;
  // every result (a register per operation, written when it completes), as the operations issued in
  // this cycle read it: forwarded when it completes now
  wire [32*N-1:0] fv;
  wire [32*N-1:0] v;
  generate
    for (i = 0; i < N; i = i + 1) begin : results
      reg [31:0] r;
      always @(posedge clk) if (completing[i]) r <= fv[32*i +: 32];
      assign v[32*i +: 32] = r;
      assign fv[32*i +: 32] = (ce && ce_i == i) ? ce_v : (cm && cm_i == i) ? cm_v : (ca && ca_i == i) ? ca_v
        : (cs && cs_i == i) ? cs_v : (cd && cd_i == i) ? cd_v : r;
    end
  endgenerate
  // the registers an operand can name, by source code (S_SUM … S_SCALE; the dependences below them)
  localparam NS = 19;
  wire [32*(NS-2)-1:0] regs = {scale, 32'h3fc00000, 32'h3f000000, 32'h3f800000, lambda, m_prime, m, eps_scaled,
    p_shift, q, d_f32, mean, delta, x0c, x0, inv_d, sum};
  // the operand `s` of an operation with dependences d0, d1 (plain wires: every simulator sees each read)
  wire [32*NS-1:0] mul_src = {regs, fv[32*op_d1[sm_i] +: 32], fv[32*op_d0[sm_i] +: 32]};
  wire [32*NS-1:0] add_src = {regs, fv[32*op_d1[sa_i] +: 32], fv[32*op_d0[sa_i] +: 32]};

  // the row rule (docs/design.md §4): m = ±0 or +∞ gives a = 0
  wire row_rule = m[30:0] == 0 || m == 32'h7f800000;

  // multiplier
  wire [31:0] mul_a = (op_fn[sm_i] == F_FINAL && row_rule) ? 32'd0 : mul_src[32*op_a[sm_i] +: 32];
  wire [31:0] mul_b = (op_fn[sm_i] == F_FINAL && row_rule) ? 32'd0 : mul_src[32*op_b[sm_i] +: 32];
  fp_mul #(.FA(23), .FB(23), .ROUND(ROUND), .DEPTH(MUL_DEPTH)) u_mul (
    .clk(clk), .a(mul_a), .b(mul_b), .rnd16(FORMAT_BF16 != 0 && !op_f32[sm_i]), .y(cm_v));
  fp_delay #(.W(1 + IW), .N(MUL_DEPTH)) mul_tag (.clk(clk), .d({sm & !rst, sm_i}), .q({cm, cm_i}));

  // adder (a − b as a + (−b))
  wire [31:0] add_a = add_src[32*op_a[sa_i] +: 32];
  wire [31:0] add_b0 = add_src[32*op_b[sa_i] +: 32];
  wire [31:0] add_b = {add_b0[31] ^ op_neg[sa_i], add_b0[30:0]};
  fp_add #(.FA(23), .FB(23), .ROUND(ROUND), .DEPTH(ADD_DEPTH)) u_add (
    .clk(clk), .a(add_a), .b(add_b), .rnd16(FORMAT_BF16 != 0 && !op_f32[sa_i]), .y(ca_v));
  fp_delay #(.W(1 + IW), .N(ADD_DEPTH)) add_tag (.clk(clk), .d({sa & !rst, sa_i}), .q({ca, ca_i}));

  // square root and divider (method 'sqrt'): digit recurrence at the format's precision (m and √m
  // are values of F), one operation at a time
  generate
    if (METHOD == 2) begin : digit
      wire [32*NS-1:0] sqrt_src = {regs, fv[32*op_d1[ss_i] +: 32], fv[32*op_d0[ss_i] +: 32]};
      wire [32*NS-1:0] div_src = {regs, fv[32*op_d1[sd_i] +: 32], fv[32*op_d0[sd_i] +: 32]};
      fp_sqrt #(.FA(FORMAT_BF16 ? 7 : 23), .DEPTH(SQRT_DEPTH)) u_sqrt (
        .clk(clk), .go(ss && !rst), .a(sqrt_src[32*op_a[ss_i] +: 32]), .y(cs_v));
      fp_delay #(.W(1 + IW), .N(SQRT_DEPTH)) sqrt_tag (.clk(clk), .d({ss & !rst, ss_i}), .q({cs, cs_i}));
      fp_div #(.FA(FORMAT_BF16 ? 7 : 23), .DEPTH(DIV_DEPTH)) u_div (
        .clk(clk), .go(sd && !rst), .a(div_src[32*op_a[sd_i] +: 32]), .b(div_src[32*op_b[sd_i] +: 32]), .y(cd_v));
      fp_delay #(.W(1 + IW), .N(DIV_DEPTH)) div_tag (.clk(clk), .d({sd & !rst, sd_i}), .q({cd, cd_i}));
    end else begin : no_digit
      assign {cs, cs_i, cs_v, cd, cd_i, cd_v} = {(2 * (1 + IW + 32)) {1'b0}};
    end
  endgenerate

  // ── exponent unit ──
  // prescale: k = −e of the largest field (e = −126 for field 0), within [−126, kcap], 0 on a NaN row
  wire signed [9:0] eps_e;
  fp_exponent eps_exp (.x(eps_term), .e(eps_e));
  wire signed [9:0] kcap = (eps_term[30:0] != 0) ? (10'sd126 - eps_e) >>> 1 : 10'sd126;
  wire signed [9:0] e_field = (field == 0) ? -10'sd126 : $signed({2'd0, field}) - 10'sd127;
  wire signed [9:0] k_low = (-e_field < -10'sd126) ? -10'sd126 : -e_field;
  wire signed [9:0] k_cap = (k_low > 10'sd126) ? 10'sd126 : k_low;
  wire signed [9:0] k = (field == 8'hff) ? 10'sd0 : (k_cap > kcap) ? kcap : k_cap;
  wire [9:0] k_biased = k + 10'sd127;
  wire [31:0] eps_once, eps_twice;
  fp_scale2 eps_scale1 (.x(eps_term), .k(k), .y(eps_once));
  fp_scale2 eps_scale2 (.x(eps_once), .k(k), .y(eps_twice));

  // normalise m: e0 = exponent of m, j = ⌊e0/2⌋, m′ = m·2^−2j (exact), e = e0 − 2j
  wire signed [9:0] m_e0;
  fp_exponent m_exp (.x(m), .e(m_e0));
  wire signed [9:0] m_j = m_e0 >>> 1;
  wire m_odd = m_e0[0];
  wire [31:0] m_scaled;
  fp_scale2 m_norm (.x(m), .k(-(m_j <<< 1)), .y(m_scaled));
  // m not a positive finite number: 0 for ±0 and +∞ (the row rule), NaN otherwise
  wire m_special = m[31] || m[30:23] == 8'hff || m[30:0] == 0;
  wire [31:0] m_special_value = row_rule ? 32'd0 : 32'h7fc00000;
  reg signed [9:0] j_r;
  reg special_r;
  reg [31:0] special_value_r;

  // back: a·2^−j rounded to F, or the special result
  wire [31:0] back_a = fv[32*op_d1[se_i] +: 32];
  wire [31:0] back_scaled, back_rounded;
  fp_scale2 back_scale (.x(back_a), .k(-j_r), .y(back_scaled));
  fp_result #(.ROUND(ROUND)) back_round (.f32(back_scaled), .rnd16(FORMAT_BF16 != 0), .y(back_rounded));

  // FISR seed: magic − (bits >> 1) on the 32-bit pattern, or on the 16-bit BF16 pattern
  wire [31:0] seed32 = FISR_MAGIC - {m[31], m[31:1]};
  wire [15:0] seed16 = FISR_MAGIC[15:0] - {m[31], m[31:17]};
  wire [31:0] seed = FORMAT_BF16 ? {seed16, 16'd0} : seed32;

  reg [31:0] exp_value;
  always @* begin
    case (op_fn[se_i])
      F_NORMALIZE: exp_value = m_odd ? A0_E1 : A0_E0;
      F_BACK: exp_value = special_r ? special_value_r : back_rounded;
      F_SEED: exp_value = seed;
      default: exp_value = 32'd0;
    endcase
  end
  fp_delay #(.W(1 + IW + 32), .N(EXP_DEPTH)) exp_pipe (
    .clk(clk), .d({se & !rst, se_i, exp_value}), .q({ce, ce_i, ce_v}));

  // ── state ──
  wire [IW-1:0] last = len_run - 1;
  wire last_done = running && ((ce && ce_i == last) || (cm && cm_i == last) || (ca && ca_i == last)
    || (cs && cs_i == last) || (cd && cd_i == last));
  assign fin = last_done;
  assign result = fv[32*last +: 32];
  assign delta_op = v[32*MEAN_DELTA_OP +: 32];
  assign err_op = v[32*CENTRING_ERR_OP +: 32];

  always @(posedge clk) begin
    if (rst) begin
      running <= 0;
      prog_r <= 0;
      issued <= 0;
      done <= 0;
    end else begin
      if (start) begin
        running <= 1;
        prog_r <= prog;
      end else if (last_done) begin
        running <= 0;
      end
      issued <= issued_now | ((se ? {{(N - 1) {1'b0}}, 1'b1} << se_i : {N{1'b0}})
        | (sm ? {{(N - 1) {1'b0}}, 1'b1} << sm_i : {N{1'b0}})
        | (sa ? {{(N - 1) {1'b0}}, 1'b1} << sa_i : {N{1'b0}})
        | (ss ? {{(N - 1) {1'b0}}, 1'b1} << ss_i : {N{1'b0}})
        | (sd ? {{(N - 1) {1'b0}}, 1'b1} << sd_i : {N{1'b0}}));
      done <= start ? {N{1'b0}} : (done | completing);
    end
    if (se && op_fn[se_i] == F_PRESCALE) begin
      nan_row <= field == 8'hff;
      factor <= {1'b0, k_biased[7:0], 23'd0};
      eps_scaled <= eps_twice;
    end
    if (se && op_fn[se_i] == F_NORMALIZE) begin
      m_prime <= m_scaled;
      lambda <= m_odd ? LAMBDA_E1 : LAMBDA_E0;
      j_r <= m_j;
      special_r <= m_special;
      special_value_r <= m_special_value;
    end
  end
endmodule
/* verilator lint_on WIDTH */
