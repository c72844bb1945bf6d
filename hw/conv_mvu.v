// conv_mvu: convolution engine = matrix-vector unit with PE/SIMD folding.
//
// Input: the window stream of window_gen (or, for a 1x1 stride-1 unpadded
// convolution, the activation stream itself): per output pixel
// SF = K*K*CF beats, CF = ceil(CIN/SIMD), order (ky, kx, channel fold), lane
// s of fold f = input channel f*SIMD + s (IN_W bits, zero past CIN).
// Output: per output pixel NF = ceil(COUT/PE) beats of PE accumulators
// (ACC_W bits, two's complement), lane p of beat n = output channel n*PE + p
// (zero past COUT).  m_axis_tlast marks the last beat of pixel NPIX-1;
// s_axis_tlast is ignored.  The result is (sum(x * w) << PROD_SHIFT) + bias
// exactly: PROD_SHIFT scales the products up to a bias finer than them
// (sum(x*w) << s == sum((x*w) << s), so weights and multipliers keep their
// quantized width); the bias is given aligned to the accumulator scale
// (2^(x_exp + w_exp - PROD_SHIFT)).
//
// Weights: a ROM of NF*SF words loaded with $readmemh(WEIGHT_FILE); word
// nf*SF + (ky*K + kx)*CF + f holds, at bits [(p*SIMD + s)*W_W +: W_W], the
// signed weight of output channel nf*PE + p, input channel f*SIMD + s, tap
// (ky, kx).  The ROM (mvu_wrom) has a registered read and an output register;
// WBANK_DEPTH > 0 splits it into banks side by side (WEIGHT_FILE then holds
// WBANK_DEPTH words of ceil(NF*SF / WBANK_DEPTH) ROM words each, mvu_wrom.v)
// with the bank multiplexer after the output register and a register after it
// (WLAT).  Bias: NF words of PE*ACC_W bits from $readmemh(BIAS_FILE)
// when USE_BIAS = 1.
//
// Schedule: for each output pixel, for nf in 0..NF-1, for sf in 0..SF-1 one
// PE x SIMD multiply-accumulate group per cycle.  The SF input beats are
// consumed during nf = 0 and kept in a small buffer for nf > 0.
// Multipliers, one mvu_dot per PE (its SIMD products and adder tree):
// MULT_STYLE 0 writes `x * w` (yosys maps it to DSP48E1 / MULT18X18D), 1
// instantiates mul_lut (shift-and-add over the bits of the narrower operand,
// no `*`: LUTs only, one register inside), 2 packs PACK
// products of one input lane into one DSP multiply (mvu_pack: unsigned
// activations only, PACK = 1 + (24 - W_W) / (IN_W + W_W) >= 2, each weight
// offset to unsigned by 2^(W_W-1)); the offset is removed at the accumulator:
// minus 2^(W_W-1) * sum over the SIMD lanes of x (one sum shared by every PE).
// Pipeline (ECP5 125 MHz): operands registered, products registered
// (MUL_LAT = 4 DSP: operands registered twice before the multiplier and the
// product twice after it, mvu_dot; 1 packed DSP; 2 LUT), the SIMD adder tree
// registered after every level
// (TREE_LAT = clog2(SIMD) levels), then the accumulator (bias word read two
// cycles ahead through two registers, PROD_SHIFT a wire).
// Cycles: NF * SF = ceil(COUT/PE) * K*K * ceil(CIN/SIMD) cycles per output
// pixel when not stalled; the first output beat leaves SF + 4 + WLAT + MUL_LAT
// + TREE_LAT (+1 when SF >= 2) cycles after the first input beat (WLAT 1 with a banked weight ROM:
// its bank multiplexer registered, 0 otherwise).  A group starts only when the output FIFO (16 deep)
// has room reserved for its result, so the pipeline itself never stalls; the
// reservation count sees issues and pops a cycle late, so up to 15 are reserved.
// With SF >= 2 the output FIFO runs at half rate (axis_fifo HALF_RATE: the
// downstream ready reaches one flop, not its PE x ACC_W read enables).
// Reset: synchronous, active high; counters, pipeline and output FIFO empty.
`default_nettype none

module conv_mvu #(
    parameter integer CIN         = 4,    // input channels
    parameter integer COUT        = 4,    // output channels
    parameter integer K           = 3,    // kernel height and width
    parameter integer SIMD        = 2,    // input channels per beat / MAC group
    parameter integer PE          = 2,    // output channels per MAC group
    parameter integer IN_W        = 8,    // activation lane width in bits
    parameter integer IN_SIGNED   = 0,    // 1: activations are two's complement
    parameter integer W_W         = 8,    // weight width in bits (signed)
    parameter integer ACC_W       = 24,   // accumulator width (exact sum needs it)
    parameter integer PROD_SHIFT  = 0,    // left shift of the sum of products before the bias
    parameter integer NPIX        = 1,    // output pixels per frame (for tlast)
    parameter integer USE_BIAS    = 0,    // 1: add the bias ROM at the first fold
    parameter         WEIGHT_FILE = "",   // $readmemh file of the weight ROM
    parameter         BIAS_FILE   = "",   // $readmemh file of the bias ROM
    parameter integer WROM_STYLE  = 0,    // weight ROM: 0 auto, 1 block RAM, 2 LUT
    parameter integer WBANK_DEPTH = 0,    // weight ROM words per bank: 0 one bank (mvu_wrom)
    parameter integer MULT_STYLE  = 0     // products: 0 DSP (`*`), 1 LUT (mul_lut), 2 PACK per DSP
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire [SIMD*IN_W-1:0]   s_axis_tdata,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                   s_axis_tlast,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    output wire [PE*ACC_W-1:0]    m_axis_tdata,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam integer CF     = (CIN + SIMD - 1) / SIMD;
    localparam integer SF     = K * K * CF;
    localparam integer NF     = (COUT + PE - 1) / PE;
    localparam integer WDEPTH = NF * SF;
    localparam integer WAW    = (WDEPTH > 1) ? $clog2(WDEPTH) : 1;
    localparam integer SAW    = (SF > 1) ? $clog2(SF) : 1;
    localparam integer NAW    = (NF > 1) ? $clog2(NF) : 1;
    localparam integer PAW    = (NPIX > 1) ? $clog2(NPIX) : 1;
    localparam integer PW     = IN_W + 1 + W_W;   // signed product width
    localparam integer WWORD  = PE * SIMD * W_W;
    localparam integer OUT_DEPTH = 16;
    localparam integer RW     = $clog2(OUT_DEPTH) + 1;
    localparam integer MUL_LAT  = (MULT_STYLE == 2) ? 1 : (MULT_STYLE == 1) ? 2 : 4;   // operands -> product (mvu_dot)
    // MULT_STYLE 2: PACK products per DSP multiply (as in mvu_pack)
    localparam integer PACK     = (MULT_STYLE == 2) ? 1 + (24 - W_W) / (IN_W + W_W) : 1;
    localparam integer TREE_LAT = (SIMD > 1) ? $clog2(SIMD) : 0;  // registered tree levels
    localparam integer WLAT     = (WBANK_DEPTH > 0) ? 1 : 0;   // banked ROM: its mux register
    localparam integer DP       = WLAT + MUL_LAT + TREE_LAT;   // stage C -> accumulate stage

    generate
        if (CIN < 1 || COUT < 1 || K < 1 || SIMD < 1 || PE < 1 || NPIX < 1) begin : g_bad_size
            $fatal(1, "conv_mvu: CIN, COUT, K, SIMD, PE, NPIX must be >= 1");
        end
        if (SIMD > CIN || PE > COUT) begin : g_bad_fold
            $fatal(1, "conv_mvu: SIMD must be <= CIN and PE <= COUT");
        end
        if (IN_W < 1 || W_W < 2 || ACC_W < PW) begin : g_bad_width
            $fatal(1, "conv_mvu: need IN_W >= 1, W_W >= 2, ACC_W >= IN_W + W_W + 1");
        end
        if (PROD_SHIFT < 0 || ACC_W < PW + PROD_SHIFT) begin : g_bad_shift
            $fatal(1, "conv_mvu: need PROD_SHIFT >= 0 and ACC_W >= IN_W + W_W + 1 + PROD_SHIFT");
        end
        if (USE_BIAS < 0 || USE_BIAS > 1 || IN_SIGNED < 0 || IN_SIGNED > 1) begin : g_bad_flag
            $fatal(1, "conv_mvu: USE_BIAS and IN_SIGNED must be 0 or 1");
        end
        if (WROM_STYLE < 0 || WROM_STYLE > 2) begin : g_bad_style
            $fatal(1, "conv_mvu: WROM_STYLE must be 0, 1 or 2");
        end
        if (MULT_STYLE < 0 || MULT_STYLE > 2) begin : g_bad_mult
            $fatal(1, "conv_mvu: MULT_STYLE must be 0 (DSP), 1 (LUT) or 2 (packed DSP)");
        end
        if (MULT_STYLE == 2 && (IN_SIGNED != 0 || PACK < 2 || IN_W > 17)) begin : g_bad_pack
            $fatal(1, "conv_mvu: MULT_STYLE 2 needs unsigned activations of <= 17 bits and 2 * IN_W + 3 * W_W <= 24");
        end
    endgenerate

    // ---------------------------------------------------------------- stage A: issue
    reg  [SAW-1:0] sf;
    reg  [SAW-1:0] sf_nx;      // sf after the next issue (sf + 1, 0 after the last):
                               // the input buffer's read-ahead address, a register
                               // (through the +1 carry chain into a LUT-RAM buffer's
                               // read address and bank mux it was 9.38 ns, fire_w3)
    reg  [NAW-1:0] nf;
    reg  [PAW-1:0] pix;
    reg  [WAW-1:0] waddr;
    reg  [RW-1:0]  reserved;   // results in flight or in the output FIFO
    wire           out_pop;
    reg            out_pop_q;  // a pop, seen a cycle later: the downstream ready
                               // (often a gate after the next module's flops) then
                               // ends at a flop, not in the reservation count
    reg            res_q;      // a group issued, counted a cycle later: the input
                               // valid (from the upstream module) ends at a flop
                               // too; room assumes this cycle issues one more

    // sf == 0, nf == 0, reserved < OUT_DEPTH and the last-count flags are kept as
    // registers, so the handshake (s_axis_tready, issue) and the counters' next
    // values are a gate or two from flops
    reg  first_sf;
    reg  nf0;
    reg  room;
    reg  last_sf;    // sf == SF - 1
    reg  last_nf;    // nf == NF - 1
    reg  last_pix;   // pix == NPIX - 1
    wire can_go    = !first_sf || room;
    wire issue     = can_go && (!nf0 || s_axis_tvalid);
    assign s_axis_tready = can_go && nf0;

    // input beats of the current pixel, re-read for nf > 0 (absent when NF = 1).
    // With SF >= 2 the word is read a beat ahead, at the issue before its own
    // (address sf_nx), into a read register followed by a second one:
    // a deep buffer is a DP16KD, and its unregistered read into the x select was
    // 5.61 ns + routing + mux (fire_w3 at adad093: 8.47 ns); the second register
    // becomes the RAM's output register (codegen/pnr/outreg.py).  The word read
    // is never the one written in that cycle (sf + 1 != sf), so no_rw_check: no
    // read-first logic after the RAM.  SF = 1: one word, read where it is written.
    // With SF >= 3 the write is a cycle late, at stage B from registers (vB, nf0B,
    // sfB, xin_b): the issue gate, routed to a LUT-RAM buffer's bank write
    // enables, was 8.35 ns (fire_e1heavy at d593f63).  The word written late is
    // read ahead SF - 1 >= 2 issues after its own, so after the write; with SF = 2
    // that would be the next issue, the same cycle, and the write stays direct.
    reg                 vB;
    reg                 nf0B;
    reg [SIMD*IN_W-1:0] ibuf_q;
    reg [SIMD*IN_W-1:0] xin_b;
    generate
        if (NF > 1 && SF >= 2) begin : g_ibuf
            (* no_rw_check *) reg [SIMD*IN_W-1:0] ibuf[0:SF-1];
            reg  [SIMD*IN_W-1:0] ibuf_r;   // the beat of the next issue's sf
            wire                 we;
            wire [SAW-1:0]       wa;
            wire [SIMD*IN_W-1:0] wd;
            if (SF >= 3) begin : g_wlate
                reg [SAW-1:0] sfB;
                always @(posedge clk) sfB <= sf;
                assign we = vB && nf0B;
                assign wa = sfB;
                assign wd = xin_b;
            end else begin : g_wnow
                assign we = issue && nf0;
                assign wa = sf;
                assign wd = s_axis_tdata;
            end
            always @(posedge clk) begin
                if (we) ibuf[wa] <= wd;
                if (issue) ibuf_r <= ibuf[sf_nx];
                ibuf_q <= ibuf_r;
            end
        end else if (NF > 1) begin : g_ibuf1
            reg [SIMD*IN_W-1:0] ibuf[0:0];
            always @(posedge clk) begin
                if (issue && nf0) ibuf[0] <= s_axis_tdata;
                ibuf_q <= ibuf[0];
            end
        end else begin : g_no_ibuf
            always @(posedge clk) ibuf_q <= {(SIMD * IN_W) {1'b0}};
        end
    endgenerate
    always @(posedge clk) xin_b <= s_axis_tdata;

    // weight ROM (mvu_wrom): wq2 two cycles after waddr, three (WLAT) with banks
    wire [WWORD-1:0] wq2;
    mvu_wrom #(
        .WIDTH(WWORD), .DEPTH(WDEPTH), .BANK_DEPTH(WBANK_DEPTH), .STYLE(WROM_STYLE),
        .INIT_FILE(WEIGHT_FILE)
    ) u_wrom (
        .clk(clk), .addr(waddr), .q(wq2));

    // bias ROM (NF words), read two cycles before the accumulate stage
    reg [PE*ACC_W-1:0] brom[0:NF-1];
    generate
        if (USE_BIAS != 0) begin : g_bias
            initial $readmemh(BIAS_FILE, brom);
        end else begin : g_nobias
            integer bi;
            initial for (bi = 0; bi < NF; bi = bi + 1) brom[bi] = {(PE * ACC_W) {1'b0}};
        end
    endgenerate

    // pipeline control: B (ROM read), C (ROM output reg, x select), then DP
    // stages to the accumulate stage (products, tree levels)
    localparam integer CW = 4 + NAW;   // {valid, first, last, tlast, nf}
    reg           vC;
    reg           firstB, firstC;
    reg           lastB, lastC;
    reg           tlB, tlC;
    reg [NAW-1:0] nfB, nfC;
    reg [CW-1:0]  ctl[1:DP];           // ctl[k]: stage C + k
    reg           vE;

    wire [CW-1:0] ctlC = {vC, firstC, lastC, tlC, nfC};
    wire [CW-1:0] ctlD = ctl[DP];
    wire [CW-1:0] ctlP;                // two stages before it (the bias ROM's read)
    generate
        if (DP > 2) begin : g_ctlp
            assign ctlP = ctl[DP - 2];
        end else if (DP == 2) begin : g_ctlp_c
            assign ctlP = ctlC;
        end else begin : g_ctlp_b
            assign ctlP = {vB, firstB, lastB, tlB, nfB};
        end
    endgenerate
    wire           vD     = ctlD[CW-1];
    wire           firstD = ctlD[CW-2];
    wire           lastD  = ctlD[CW-3];
    wire           tlD    = ctlD[CW-4];
    wire [NAW-1:0] nfP    = ctlP[NAW-1:0];
    /* verilator lint_off UNUSEDSIGNAL */
    wire [CW-NAW-1:0] ctlP_unused = ctlP[CW-1:NAW];
    wire [NAW-1:0]    ctlD_unused = ctlD[NAW-1:0];
    /* verilator lint_on UNUSEDSIGNAL */

    // the reservation count's next value, +1 / -1 / the same, and room
    // (reserved_nx < OUT_DEPTH - 1) for each, from the count register alone: the
    // late issue and pop flags only select (out_pop_q, the FIFO's pop seen a
    // cycle late, comes from across the engine: into the +/- carry chain and the
    // compare's it was 8.06-8.42 ns on two_fire and fmnist_w8)
    wire          res_up = res_q && !out_pop_q;
    wire          res_dn = !res_q && out_pop_q;   // a pop: reserved >= 1
    wire [RW-1:0] reserved_nx = res_up ? reserved + 1'b1 : res_dn ? reserved - 1'b1 : reserved;
    wire          room_nx = res_up ? (reserved < RW'(OUT_DEPTH - 2))
                          : res_dn ? (reserved < RW'(OUT_DEPTH)) : (reserved < RW'(OUT_DEPTH - 1));
    integer ci;
    always @(posedge clk) begin
        nf0B <= nf0;
        firstB <= first_sf; firstC <= firstB;
        lastB <= last_sf;   lastC <= lastB;
        tlB <= last_nf && last_pix; tlC <= tlB;
        nfB <= nf; nfC <= nfB;
        ctl[1] <= ctlC;
        for (ci = 2; ci <= DP; ci = ci + 1) ctl[ci] <= ctl[ci - 1];
        if (rst) begin
            vB <= 1'b0; vC <= 1'b0; vE <= 1'b0; out_pop_q <= 1'b0; res_q <= 1'b0;
            for (ci = 1; ci <= DP; ci = ci + 1) ctl[ci][CW-1] <= 1'b0;
            sf <= 0; sf_nx <= SAW'(SF > 1 ? 1 : 0); nf <= 0; pix <= 0; waddr <= 0; reserved <= 0;
            first_sf <= 1'b1; nf0 <= 1'b1; room <= 1'b1;
            last_sf <= (SF == 1); last_nf <= (NF == 1); last_pix <= (NPIX == 1);
        end else begin
            vB <= issue; vC <= vB; vE <= vD && lastD; out_pop_q <= out_pop;
            res_q    <= issue && first_sf;
            reserved <= reserved_nx;
            room     <= room_nx;   // reserved_nx < OUT_DEPTH - 1: + this cycle's issue
            if (issue) begin
                first_sf <= last_sf;
                // the flags of the next counts: from 0 (wrap) or from count + 1
                last_sf  <= last_sf ? (SF == 1) : (sf == SAW'(SF - 2));
                if (last_sf) begin
                    nf0     <= last_nf;
                    last_nf <= last_nf ? (NF == 1) : (nf == NAW'(NF - 2));
                end
                if (last_sf && last_nf)
                    last_pix <= last_pix ? (NPIX == 1) : (pix == PAW'(NPIX - 2));
                sf    <= sf_nx;
                sf_nx <= (last_sf ? (SF == 1) : (sf == SAW'(SF - 2))) ? {SAW{1'b0}} : sf_nx + 1'b1;
                waddr <= (last_sf && last_nf) ? {WAW{1'b0}} : waddr + 1'b1;
                if (last_sf) begin
                    nf <= last_nf ? {NAW{1'b0}} : nf + 1'b1;
                    if (last_nf) pix <= last_pix ? {PAW{1'b0}} : pix + 1'b1;
                end
            end
        end
    end

    // ---------------------------------------------------------------- datapath
    // the products' x: one register copy per PE (XCOPY), kept apart from yosys'
    // merge of equal flip-flops (keep), so no x net fans out across the die to
    // every MULT18X18D / DSP48 or LUT multiplier (mvu_pack keeps one per packed
    // group; one shared copy of LUT products was routed 5.99 ns to PE 13's
    // first adder, two_fire at d3cff49).  The copy is xC itself, or the
    // register after it when the banked ROM's word comes a cycle later (WLAT).
    localparam integer XCOPY = (MULT_STYLE != 2) ? PE : 1;
    reg  [SIMD*IN_W-1:0]       xC;
    wire [SIMD*IN_W-1:0]       xCsel = nf0B ? xin_b : ibuf_q;
    wire [XCOPY*SIMD*IN_W-1:0] xPc;
    // kept like the copies: yosys' opt_merge folded an unkept xC into a kept copy
    // of equal input, and then two PEs' operand registers (equal inputs) into
    // one, routed across the die to both multipliers (fmnist_w8 at 08c7970:
    // PE 0's register -> PE 7's MULT18X18D, 8.93 ns)
    (* keep *) always @(posedge clk) xC <= xCsel;
    genvar c;
    generate
        for (c = 0; c < XCOPY; c = c + 1) begin : g_xcopy
            reg [SIMD*IN_W-1:0] xq;
            if (WLAT > 0) begin : g_xw
                (* keep *) always @(posedge clk) xq <= xC;
            end else if (c == 0) begin : g_x0
                always @* xq = xC;
            end else begin : g_xc
                (* keep *) always @(posedge clk) xq <= xCsel;
            end
            assign xPc[c*SIMD*IN_W +: SIMD*IN_W] = xq;
        end
    endgenerate

    // the bias word read two cycles ahead, its read register followed by another
    // (a block RAM's output register: yosys maps a deep bias ROM to a DP16KD,
    // whose unregistered read into the accumulator's adder was 5.83 + 4.36 ns)
    reg [PE*ACC_W-1:0] bias_r;
    reg [PE*ACC_W-1:0] bias_q;
    always @(posedge clk) begin
        bias_r <= brom[nfP];
        bias_q <= bias_r;
    end

    reg  [PE*ACC_W-1:0]  acc;
    localparam integer TW = PW + TREE_LAT;   // widest tree node
    genvar p;

    // MULT_STYLE 2: registered products of every (p, s) lane, PW bits signed at
    // [(p*SIMD + s)*PW +: PW]: x * (w + 2^(W_W-1)) for a packed channel (zero-
    // extended field), x * w for a channel alone in its group; the offset sum
    // 2^(W_W-1) * sum_s x_s follows the pipeline to the accumulate stage.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [PE*SIMD*PW-1:0] pk_prod;
    wire [ACC_W-1:0]      pk_corr;
    /* verilator lint_on UNUSEDSIGNAL */
    generate
        if (MULT_STYLE == 2) begin : g_pack
            mvu_pack #(.SIMD(SIMD), .PE(PE), .IN_W(IN_W), .W_W(W_W)) u_pack (
                .clk(clk), .x_nx(WLAT > 0 ? xC : xCsel), .w(wq2), .p(pk_prod));
            localparam integer XSW = IN_W + ((SIMD > 1) ? $clog2(SIMD) : 0);
            reg [XSW-1:0] xsum;
            reg [XSW-1:0] xs_d[1:DP];
            integer xi, xj;   // one loop variable per always block
            always @* begin
                xsum = {XSW{1'b0}};
                for (xi = 0; xi < SIMD; xi = xi + 1) xsum = xsum + XSW'(xC[xi*IN_W +: IN_W]);
            end
            always @(posedge clk) begin
                xs_d[1] <= xsum;
                for (xj = 2; xj <= DP; xj = xj + 1) xs_d[xj] <= xs_d[xj - 1];
            end
            assign pk_corr = ACC_W'(xs_d[DP]) << (W_W - 1);
        end else begin : g_nopack
            // PE*SIMD*PW can pass Verilator's replication limit (8192) on wide engines
            /* verilator lint_off WIDTHCONCAT */
            assign pk_prod = {(PE * SIMD * PW) {1'b0}};
            /* verilator lint_on WIDTHCONCAT */
            assign pk_corr = {ACC_W{1'b0}};
        end
    endgenerate

    generate
        for (p = 0; p < PE; p = p + 1) begin : g_pe
            // this PE's products and adder tree (the x copy its own unless packed)
            wire [TW-1:0] dot_w;
            mvu_dot #(
                .SIMD      (SIMD),
                .IN_W      (IN_W),
                .IN_SIGNED (IN_SIGNED),
                .W_W       (W_W),
                .MULT_STYLE(MULT_STYLE)
            ) u_dot (
                .clk(clk),
                .x  (xPc[(MULT_STYLE != 2 ? p : 0)*SIMD*IN_W +: SIMD*IN_W]),
                .w  (wq2[p*SIMD*W_W +: SIMD*W_W]),
                .pk (pk_prod[p*SIMD*PW +: SIMD*PW]),
                .dot(dot_w)
            );
            wire signed [TW-1:0]    dot  = dot_w;
            wire signed [ACC_W-1:0] dotx = ACC_W'(dot);
            wire [ACC_W-1:0] base = firstD ? bias_q[p*ACC_W +: ACC_W] : acc[p*ACC_W +: ACC_W];
            // a packed channel's products carry the offset: take it off (modulo 2^ACC_W,
            // exact since the true sum fits ACC_W)
            localparam integer OFFSET = (MULT_STYLE == 2 && PE - (p / PACK) * PACK >= 2) ? 1 : 0;
            wire [ACC_W-1:0] dotc;
            if (OFFSET != 0) begin : g_corr
                assign dotc = dotx - pk_corr;
            end else begin : g_plain
                assign dotc = dotx;
            end
            always @(posedge clk) if (vD) acc[p*ACC_W +: ACC_W] <= base + (dotc <<< PROD_SHIFT);
        end
    endgenerate

    reg tl_res;
    always @(posedge clk) if (vD && lastD) tl_res <= tlD;

    // Groups start only with FIFO room reserved, so the FIFO is never full.
    /* verilator lint_off UNUSEDSIGNAL */
    wire fifo_ready;
    /* verilator lint_on UNUSEDSIGNAL */
    axis_fifo #(
        .DATA_W   (PE * ACC_W),
        .DEPTH    (OUT_DEPTH),
        .RAM_STYLE(2),
        .HALF_RATE((SF >= 2) ? 1 : 0)   // a beat per SF cycles at most
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (acc),
        .s_axis_tlast (tl_res),
        .s_axis_tvalid(vE),
        .s_axis_tready(fifo_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
    assign out_pop = m_axis_tvalid && m_axis_tready;
endmodule

`default_nettype wire
