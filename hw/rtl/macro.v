// The IterL2Norm macro (docs/hardware.md §1), cycle for cycle and bit for bit the machine that
// hw/simulate.ts steps, for the configuration of macro-params.vh (hw/rtl-config.ts rtlParameters).
//
// Interface. γ and β are written beforehand, one beat of HALF words per param_we (HALF = L/2).
// A vector starts in the cycle `start` is high; the host presents row r of x (LANES words; lanes
// at and beyond d are ignored) on in_data in cycle r after it, and the per-call constants with
// `start`, as the library's kernel gets them: d, the mode, fl32(1/d), √d in F, and the ε-term
// (fl32(d·ε) in LayerNorm mode, ε in L2). The output comes as beats of HALF words (out_valid,
// out_beat); `phase` is the controller's state in every cycle (7 = done: the cycle of the last
// output beat). Words are FP32 patterns, or BF16 patterns in a BF16 macro (WORD_BITS = 16).
//
// Datapath, per pass (a row issued to the read port in cycle t is at position t + s of its pass):
//   sum x   read ─► ×2^k (Mul block; written back) ─► −x₀ (Add rank 1) ─► adder tree
//   sum y²  read ─► −c (rank 1) ─► square (Mul block, FP32) ─► adder tree
//   output  read (half a row) ─► −c (rank 1, lanes < L/2) ─► −err′ (rank 2) ─► ×s (Mul, lanes < L/2)
//           ─► ×γ (Mul, lanes ≥ L/2) ─► +β (rank 1, lanes ≥ L/2) ─► output register
// The tree's sums go to the partial-sum row; when a pass leaves more than one, they go through
// the pass again (bypassing the element stages by a delay line of the same depth) until one is
// left. The controller follows simulate.ts's `control`: a state change is made in the cycle its
// cause completes (a program's last operation, the last sum, the last output beat), with a
// turn-around of PHASE_SWITCH cycles between phases.
// Counters and indices mix widths with integer parameters (L, H, the depths) on purpose.
/* verilator lint_off WIDTH */
module iterl2norm_macro (
  clk, rst, param_we, param_beta, param_addr, param_data, start, d, layer, inv_d, sqrt_d, eps_term, in_data,
  out_valid, out_beat, out_data, phase
);
`include "macro-params.vh"
  localparam L = LANES;
  localparam H = HALF;
  localparam WB = WORD_BITS;
  input clk;
  input rst;
  input param_we;
  input param_beta;                 // 0: write γ, 1: write β
  input [BEAT_BITS-1:0] param_addr; // beat: words param_addr·HALF … + HALF − 1
  input [H*WB-1:0] param_data;
  input start;
  input [DIM_BITS-1:0] d;
  input layer;                      // 1: LayerNorm, 0: L2
  input [31:0] inv_d;
  input [31:0] sqrt_d;
  input [31:0] eps_term;
  input [L*WB-1:0] in_data;
  output out_valid;
  output [BEAT_BITS-1:0] out_beat;
  output [H*WB-1:0] out_data;
  output [2:0] phase;

  localparam [2:0] S_IDLE = 0, S_LOAD = 1, S_SWITCH = 2, S_SUMX = 3, S_SUMSQ = 4, S_INV = 5, S_OUT = 6,
    S_DONE = 7;
  localparam [2:0] P_PRESCALE = 0, P_MEAN = 1, P_CENTRING = 2, P_M = 3, P_INV = 4;
  localparam ROUND_MUL = FORMAT_BF16 ? 2 : 0; // BF16: ×2^k, ×s, ×γ to BF16, squares in FP32
  localparam ROUND_ADD = FORMAT_BF16 ? 1 : 0;
  // positions in a pass, in cycles after the row's issue to the read port
  localparam AT_MUL_OUT = READ_DEPTH + MUL_DEPTH;               // sum x: x·2^k (x₀, write-back)
  localparam AT_TREE = READ_DEPTH + MUL_DEPTH + ADD_DEPTH;      // a row enters the tree
  localparam AT_GAMMA = 2 * ADD_DEPTH + MUL_DEPTH;              // output: γ read issued
  localparam AT_BETA = 2 * ADD_DEPTH + 2 * MUL_DEPTH;           // output: β read issued
  localparam AT_OUT = READ_DEPTH + 3 * ADD_DEPTH + 2 * MUL_DEPTH + WRITE_DEPTH; // the output beat
  localparam AT_MAX = AT_OUT > AT_TREE ? AT_OUT : AT_TREE;
  localparam [31:0] QNAN = 32'h7fc00000;
  localparam [31:0] ONE = 32'h3f800000;

  function [31:0] f32_of(input [WB-1:0] w);
    begin
      f32_of = 32'd0;
      f32_of[31 -: WB] = w;
    end
  endfunction
  function [WB-1:0] word_of(input [31:0] f);
    word_of = f[31 -: WB];
  endfunction
  function [31:0] neg(input [31:0] f);
    neg = {~f[31], f[30:0]};
  endfunction

  // ── registers of the call ──
  reg [2:0] state, next_st;
  reg [6:0] sw_left;
  reg [DIM_BITS-1:0] d_r;
  reg layer_r;
  reg [31:0] inv_d_r, sqrt_d_r, eps_term_r;
  wire [DIM_BITS-1:0] d_now = start ? d : d_r;
  wire [DIM_BITS:0] rows_d = ({1'b0, d_r} + L - 1) >> LOG2_LANES;
  wire [DIM_BITS:0] beats_d = ({1'b0, d_r} + H - 1) >> (LOG2_LANES - 1);
  // d as FP32 (exact: d < 2^24)
  wire [4:0] d_lz;
  fp_lzc #(.W(24), .CW(5)) d_count (.x({{(24 - DIM_BITS) {1'b0}}, d_r}), .n(d_lz));
  wire [23:0] d_sig = {{(24 - DIM_BITS) {1'b0}}, d_r} << d_lz;
  wire [7:0] d_exp = 8'd150 - {3'd0, d_lz};
  wire [31:0] d_f32 = {1'b0, d_exp, d_sig[22:0]};

  // ── the vector's values the controller keeps ──
  reg [31:0] x0_r, sum_r, q_r, p_r, p_shift_r, mean_r, delta_r, err_r, m_r, s_r;
  reg two_r, q_ready, cent_running;

  // ── load: row r into the buffer in cycle r; running max of the valid lanes' exponent fields ──
  reg [DIM_BITS:0] load_row;
  reg [7:0] run_max;
  wire [DIM_BITS:0] load_row_now = start ? 0 : load_row;
  wire [DIM_BITS:0] rows_now = ({1'b0, d_now} + L - 1) >> LOG2_LANES;
  wire [2:0] st;
  wire loading = st == S_LOAD && load_row_now < rows_now;
  reg [7:0] beat_max;
  reg [31:0] lane_f32;
  integer li;
  always @* begin
    beat_max = start ? 8'd0 : run_max;
    for (li = 0; li < L; li = li + 1) begin
      lane_f32 = f32_of(in_data[li*WB +: WB]);
      if (load_row_now * L + li < d_now && lane_f32[30:23] > beat_max) beat_max = lane_f32[30:23];
    end
  end
  // the max-exponent unit: the running max through EXP_DEPTH registers; the last beat's starts k
  wire maxu_v, maxu_last;
  wire [7:0] maxu_field;
  fp_delay #(.W(10), .N(EXP_DEPTH)) max_unit (
    .clk(clk), .d({loading && !rst, load_row_now + 1 == rows_now, beat_max}), .q({maxu_v, maxu_last, maxu_field}));

  // ── the pass tokens: valid, bypassed (a partial-sum row), first row, valid lanes, row/beat index ──
  localparam TW = 3 + LANE_BITS + BEAT_BITS;
  wire [TW-1:0] tok [0:AT_MAX];
  genvar g;
  generate
    for (g = 1; g <= AT_MAX; g = g + 1) begin : tok_line
      reg [TW-1:0] r;
      always @(posedge clk) r <= rst ? {TW{1'b0}} : tok[g-1];
      assign tok[g] = r;
    end
  endgenerate
  `define TOK_V(t) t[TW-1]
  `define TOK_BYP(t) t[TW-2]
  `define TOK_FIRST(t) t[TW-3]
  `define TOK_CNT(t) t[LANE_BITS+BEAT_BITS-1:BEAT_BITS]
  `define TOK_IDX(t) t[BEAT_BITS-1:0]
  // the taps: sum x's Mul output, the read data, the tree's input, γ's and β's reads, the output beat
  wire [TW-1:0] t_mul = tok[AT_MUL_OUT];
  wire [TW-1:0] t_read = tok[READ_DEPTH];
  wire [TW-1:0] t_tree = tok[AT_TREE];
  wire [TW-1:0] t_gamma = tok[AT_GAMMA];
  wire [TW-1:0] t_beta = tok[AT_BETA];
  wire [TW-1:0] t_out = tok[AT_OUT];
  wire [BEAT_BITS-1:0] idx_mul = `TOK_IDX(t_mul);
  wire [BEAT_BITS-1:0] idx_read = `TOK_IDX(t_read);

  // ── scalar unit ──
  wire sc_fin;
  wire [31:0] sc_result, sc_delta, sc_err, factor, eps_scaled;
  wire nan_row;
  reg sc_start;
  reg [2:0] sc_prog;

  // ── controller (simulate.ts: tickAll's starts, then control) ──
  wire red_done;          // the reduction's last sum arrives in this cycle
  wire [31:0] tree_y;
  wire last_out;          // the last output beat leaves in this cycle
  reg [2:0] s_c, nx_c;
  reg [6:0] swl_c;
  reg begin_red, begin_out, take_mean, take_cent, take_m, take_s, start_m, fin_left, cent_c;
  wire q_arrive = red_done && state == S_SUMSQ;
  reg ent;
  reg [2:0] ent_to;

  task begin_phase(input [2:0] to);
    begin
      s_c = to;
      case (to)
        S_SUMX: begin_red = 1;
        S_SUMSQ: begin
          begin_red = 1;
          sc_start = 1;
          sc_prog = P_CENTRING;
          cent_c = 1;
        end
        S_INV: begin
          sc_start = 1;
          sc_prog = P_INV;
        end
        S_OUT: begin_out = 1;
        default: ;
      endcase
    end
  endtask
  task enter(input [2:0] to);
    begin
      if (PHASE_SWITCH == 0) begin_phase(to);
      else begin
        s_c = S_SWITCH;
        nx_c = to;
        swl_c = PHASE_SWITCH - 1;
      end
    end
  endtask

  always @* begin
    s_c = state;
    nx_c = next_st;
    swl_c = sw_left;
    sc_start = 0;
    sc_prog = P_PRESCALE;
    begin_red = 0;
    begin_out = 0;
    take_mean = 0;
    take_cent = 0;
    take_m = 0;
    take_s = 0;
    start_m = 0;
    cent_c = cent_running;
    fin_left = sc_fin;
    if (state == S_IDLE || state == S_DONE) s_c = start ? S_LOAD : S_IDLE;
    // tick: the last beat's field starts the prescale; a reduction's sum starts its program
    if (maxu_v && maxu_last) begin
      sc_start = 1;
      sc_prog = P_PRESCALE;
    end
    if (red_done && state == S_SUMX) begin
      sc_start = 1;
      sc_prog = P_MEAN;
    end
    if (q_arrive && !cent_running) begin
      start_m = 1;
    end
    // control
    if (s_c == S_LOAD && fin_left) begin
      fin_left = 0;
      enter(S_SUMX);
    end
    if (s_c == S_SUMX && fin_left) begin
      fin_left = 0;
      take_mean = 1;
      enter(S_SUMSQ);
    end
    if (s_c == S_SUMSQ && fin_left) begin
      fin_left = 0;
      if (cent_c) begin
        take_cent = 1;
        cent_c = 0;
        if (q_ready || q_arrive) start_m = 1;
      end else begin
        take_m = 1;
        enter(S_INV);
      end
    end
    if (s_c == S_INV && fin_left) begin
      fin_left = 0;
      take_s = 1;
      enter(S_OUT);
    end
    if (state == S_SWITCH && s_c == S_SWITCH) begin
      if (sw_left == 0) begin_phase(next_st);
      else swl_c = sw_left - 1;
    end
    if (s_c == S_OUT && last_out) s_c = S_DONE;
    if (start_m) begin
      sc_start = 1;
      sc_prog = P_M;
    end
  end
  assign st = s_c;
  assign phase = s_c;

  // the values handed to the scalar programs, as they are in this cycle
  wire [31:0] q_now = q_arrive ? tree_y : q_r;
  wire [31:0] p_now = take_cent ? sc_result : p_r;
  wire [31:0] err_now = take_cent ? sc_err : err_r;
  wire [31:0] mean_now = take_mean ? (layer_r ? sc_result : 32'd0) : mean_r;
  wire [31:0] delta_now = take_mean ? (layer_r ? sc_delta : 32'd0) : delta_r;
  wire [31:0] m_now = take_m ? sc_result : m_r;
  // the mode comparator: P > fl32(q·2^−42) on the magnitudes, false when either is NaN
  wire [31:0] q_scaled;
  fp_scale2 q_threshold (.x(q_now), .k(-10'sd42), .y(q_scaled));
  wire two_now = layer_r && p_now[30:0] <= 31'h7f800000 && q_scaled[30:0] <= 31'h7f800000
    && p_now[30:0] > q_scaled[30:0];
  wire [31:0] p_shift_now = start_m ? (two_now ? p_now : 32'd0) : p_shift_r;
  wire [31:0] x0_now;

  scalar_unit scalar (
    .clk(clk), .rst(rst), .start(sc_start), .prog(sc_prog), .field(maxu_field), .eps_term(eps_term_r),
    .sum(red_done ? tree_y : sum_r), .inv_d(inv_d_r), .x0(x0_r), .x0c(layer_r ? x0_r : 32'd0),
    .delta(delta_now), .mean(mean_now), .d_f32(d_f32), .q(q_now), .p_shift(p_shift_now), .m(m_now),
    .scale(layer_r ? sqrt_d_r : ONE), .fin(sc_fin), .result(sc_result), .delta_op(sc_delta), .err_op(sc_err),
    .nan_row(nan_row), .factor(factor), .eps_scaled(eps_scaled));

  // ── issue of rows (reductions) and beats (output) to the read port ──
  reg iss_on, iss_byp, iss_out;
  reg [BEAT_BITS:0] iss_row, iss_rows;
  reg [DIM_BITS:0] iss_n;
  reg [ROW_BITS:0] expected, collected;
  reg go, byp, out_pass;
  reg [BEAT_BITS:0] row, nrows;
  reg [DIM_BITS:0] n_el;
  reg [LANE_BITS-1:0] cnt;
  integer width, left;
  always @* begin
    go = begin_red || begin_out || iss_on;
    row = (begin_red || begin_out) ? 0 : iss_row;
    out_pass = begin_out || (!begin_red && iss_out);
    byp = (begin_red || begin_out) ? 1'b0 : iss_byp;
    n_el = (begin_red || begin_out) ? {1'b0, d_r} : iss_n;
    nrows = begin_red ? rows_d : begin_out ? beats_d : iss_rows;
    width = out_pass ? H : L;
    left = n_el - row * width;
    cnt = left > width ? width : left;
  end
  assign tok[0] = {go, byp, go && row == 0 && !byp, go ? cnt : {LANE_BITS{1'b0}}, row[BEAT_BITS-1:0]};

  // ── the buffers ──
  wire [L*WB-1:0] buf_q, buf_rd;
  wire [H*WB-1:0] gamma_q, beta_q, gamma_rd, beta_rd;
  wire wb = state == S_SUMX && `TOK_V(t_mul) && !`TOK_BYP(t_mul);
  wire [L*32-1:0] mo; // Mul block outputs
  reg [L*WB-1:0] wb_data;
  integer wi;
  always @* for (wi = 0; wi < L; wi = wi + 1) wb_data[wi*WB +: WB] = word_of(mo[wi*32 +: 32]);
  macro_sram #(.W(L * WB), .DEPTH(ROWS), .AW(ROW_BITS)) input_buffer (
    .clk(clk), .we(loading || wb), .waddr(loading ? load_row_now[ROW_BITS-1:0] : idx_mul[ROW_BITS-1:0]),
    .wdata(loading ? in_data : wb_data),
    .raddr(out_pass ? row[ROW_BITS:1] : row[ROW_BITS-1:0]), .rdata(buf_q));
  macro_sram #(.W(H * WB), .DEPTH(BEATS), .AW(BEAT_BITS)) gamma_buffer (
    .clk(clk), .we(param_we && !param_beta), .waddr(param_addr), .wdata(param_data),
    .raddr(`TOK_IDX(t_gamma)), .rdata(gamma_q));
  macro_sram #(.W(H * WB), .DEPTH(BEATS), .AW(BEAT_BITS)) beta_buffer (
    .clk(clk), .we(param_we && param_beta), .waddr(param_addr), .wdata(param_data),
    .raddr(`TOK_IDX(t_beta)), .rdata(beta_q));
  fp_delay #(.W(L * WB), .N(READ_DEPTH - 1)) read_port (.clk(clk), .d(buf_q), .q(buf_rd));
  fp_delay #(.W(H * WB), .N(READ_DEPTH - 1)) gamma_port (.clk(clk), .d(gamma_q), .q(gamma_rd));
  fp_delay #(.W(H * WB), .N(READ_DEPTH - 1)) beta_port (.clk(clk), .d(beta_q), .q(beta_rd));

  // ── the partial-sum row and its bypass of the element stages ──
  reg [31:0] partials [0:ROWS-1];
  wire [PART_LANES*32-1:0] part_row, part_byp;
  generate
    for (g = 0; g < PART_LANES; g = g + 1) begin : part_lanes
      reg [31:0] pick;
      integer r;
      always @* begin
        pick = 32'd0;
        for (r = 0; r < PART_ROWS; r = r + 1)
          if (row == r && r * L + g < ROWS) pick = partials[r*L + g];
      end
      assign part_row[g*32 +: 32] = pick;
    end
  endgenerate
  fp_delay #(.W(PART_LANES * 32), .N(AT_TREE)) bypass (.clk(clk), .d(part_row), .q(part_byp));

  // ── element stages ──
  wire [L*32-1:0] r1;      // Add rank 1 outputs
  wire [H*32-1:0] r2;      // Add rank 2 outputs
  wire half = idx_read[0];
  wire at_x0 = state == S_SUMX && `TOK_V(t_mul) && `TOK_FIRST(t_mul);
  assign x0_now = at_x0 ? mo[31:0] : x0_r;
  wire [31:0] off = two_r ? err_r : 32'd0;
  generate
    for (g = 0; g < L; g = g + 1) begin : lanes
      wire [31:0] rdx = f32_of(buf_rd[g*WB +: WB]);
      reg [31:0] ma, mb, aa, ab;
      reg m16;
      always @* begin
        case (state)
          S_SUMX: begin ma = rdx; mb = factor; m16 = 1; aa = mo[g*32 +: 32]; ab = neg(x0_now); end
          S_SUMSQ: begin ma = r1[g*32 +: 32]; mb = r1[g*32 +: 32]; m16 = 0; aa = rdx; ab = neg(mean_r); end
          default: begin
            if (g < H) begin
              ma = r2[(g % H)*32 +: 32];
              mb = s_r;
              aa = f32_of(half ? buf_rd[((g % H) + H)*WB +: WB] : buf_rd[(g % H)*WB +: WB]);
              ab = neg(mean_r);
            end else begin
              ma = mo[(g % H)*32 +: 32];
              mb = f32_of(gamma_rd[(g % H)*WB +: WB]);
              aa = mo[g*32 +: 32];
              ab = f32_of(beta_rd[(g % H)*WB +: WB]);
            end
            m16 = 1;
          end
        endcase
      end
      fp_mul #(.FA(ELEMENT_FRACTION), .FB(ELEMENT_FRACTION), .ROUND(ROUND_MUL), .DEPTH(MUL_DEPTH)) mul (
        .clk(clk), .a(ma), .b(mb), .rnd16(m16), .y(mo[g*32 +: 32]));
      fp_add #(.FA(ELEMENT_FRACTION), .FB(ELEMENT_FRACTION), .ROUND(ROUND_ADD), .DEPTH(ADD_DEPTH)) add1 (
        .clk(clk), .a(aa), .b(ab), .rnd16(1'b1), .y(r1[g*32 +: 32]));
      if (g < H) begin : rank2
        fp_add #(.FA(ELEMENT_FRACTION), .FB(ELEMENT_FRACTION), .ROUND(ROUND_ADD), .DEPTH(ADD_DEPTH)) add2 (
          .clk(clk), .a(r1[g*32 +: 32]), .b(neg(off)), .rnd16(1'b1), .y(r2[g*32 +: 32]));
      end
    end
  endgenerate

  // ── adder tree and the reduction's sink ──
  wire [L*32-1:0] tree_x;
  wire [L-1:0] tree_valid;
  wire tree_byp = `TOK_BYP(t_tree);
  generate
    for (g = 0; g < L; g = g + 1) begin : tree_in
      assign tree_x[g*32 +: 32] = tree_byp ? (g < PART_LANES ? part_byp[(g % PART_LANES)*32 +: 32] : 32'd0)
        : state == S_SUMX ? r1[g*32 +: 32] : mo[g*32 +: 32];
      assign tree_valid[g] = `TOK_V(t_tree) && (state == S_SUMX || state == S_SUMSQ)
        && g < `TOK_CNT(t_tree);
    end
  endgenerate
  wire tree_y_valid;
  adder_tree #(.LANES(L), .DEPTH(ADD_DEPTH)) tree (
    .clk(clk), .x(tree_x), .valid(tree_valid), .y(tree_y), .y_valid(tree_y_valid));
  wire level_done = tree_y_valid && collected + 1 == expected;
  assign red_done = level_done && expected == 1;

  // ── output register and port ──
  wire [H*32-1:0] out_f32;
  fp_delay #(.W(H * 32), .N(WRITE_DEPTH)) out_reg (.clk(clk), .d(r1[L*32-1:H*32]), .q(out_f32));
  assign out_valid = state == S_OUT && `TOK_V(t_out);
  assign out_beat = `TOK_IDX(t_out);
  assign last_out = out_valid && {1'b0, out_beat} == beats_d - 1;
  generate
    for (g = 0; g < H; g = g + 1) begin : port
      assign out_data[g*WB +: WB] = word_of(nan_row ? QNAN : out_f32[g*32 +: 32]);
    end
  endgenerate

  // ── state ──
  always @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      next_st <= S_IDLE;
      sw_left <= 0;
      iss_on <= 0;
      cent_running <= 0;
      q_ready <= 0;
    end else begin
      state <= s_c;
      next_st <= nx_c;
      sw_left <= swl_c;
      cent_running <= cent_c;
      if (start && (state == S_IDLE || state == S_DONE)) begin
        d_r <= d;
        layer_r <= layer;
        inv_d_r <= inv_d;
        sqrt_d_r <= sqrt_d;
        eps_term_r <= eps_term;
        q_ready <= 0;
        two_r <= 0;
        mean_r <= 0;
        delta_r <= 0;
      end
      if (loading) begin
        load_row <= load_row_now + 1;
        run_max <= beat_max;
      end
      // issue
      if (go) begin
        iss_row <= row + 1;
        iss_on <= row + 1 < nrows;
        iss_n <= n_el;
        iss_byp <= byp;
        iss_out <= out_pass;
        iss_rows <= nrows;
      end
      if (begin_red) begin
        expected <= rows_d[ROW_BITS:0];
        collected <= 0;
      end
      // the reduction's sink: the partial-sum row; a level that leaves more than one sum goes again
      if (tree_y_valid) begin
        partials[collected[ROW_BITS-1:0]] <= tree_y;
        collected <= collected + 1;
        if (level_done && expected != 1) begin
          collected <= 0;
          expected <= (expected + L - 1) >> LOG2_LANES;
          iss_on <= 1;
          iss_row <= 0;
          iss_n <= expected;
          iss_byp <= 1;
          iss_out <= 0;
          iss_rows <= (expected + L - 1) >> LOG2_LANES;
        end
      end
      x0_r <= x0_now;
      if (red_done && state == S_SUMX) sum_r <= tree_y;
      if (q_arrive) begin
        q_r <= tree_y;
        q_ready <= 1;
      end
      if (take_mean) begin
        mean_r <= mean_now;
        delta_r <= delta_now;
      end
      if (take_cent) begin
        p_r <= p_now;
        err_r <= err_now;
      end
      if (start_m) begin
        two_r <= two_now;
        p_shift_r <= p_shift_now;
      end
      if (take_m) m_r <= m_now;
      if (take_s) s_r <= sc_result;
    end
  end
  `undef TOK_V
  `undef TOK_BYP
  `undef TOK_FIRST
  `undef TOK_CNT
  `undef TOK_IDX
endmodule
/* verilator lint_on WIDTH */
