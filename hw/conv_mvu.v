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
// (ky, kx).  The ROM has a registered read and an output register (block RAM
// friendly).  Bias: NF words of PE*ACC_W bits from $readmemh(BIAS_FILE)
// when USE_BIAS = 1.
//
// Schedule: for each output pixel, for nf in 0..NF-1, for sf in 0..SF-1 one
// PE x SIMD multiply-accumulate group per cycle.  The SF input beats are
// consumed during nf = 0 and kept in a small buffer for nf > 0.
// Cycles: NF * SF = ceil(COUT/PE) * K*K * ceil(CIN/SIMD) cycles per output
// pixel when not stalled; the first output beat leaves SF + 5 cycles after
// the first input beat.  A group starts only when the output FIFO (16 deep)
// has room reserved for its result, so the pipeline itself never stalls.
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
    parameter integer WROM_STYLE  = 0     // weight ROM: 0 auto, 1 block RAM, 2 LUT
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
    endgenerate

    // ---------------------------------------------------------------- stage A: issue
    reg  [SAW-1:0] sf;
    reg  [NAW-1:0] nf;
    reg  [PAW-1:0] pix;
    reg  [WAW-1:0] waddr;
    reg  [RW-1:0]  reserved;   // results in flight or in the output FIFO
    wire           out_pop;

    wire first_sf  = (sf == {SAW{1'b0}});
    wire last_sf   = (sf == SAW'(SF - 1));
    wire last_nf   = (nf == NAW'(NF - 1));
    wire last_pix  = (pix == PAW'(NPIX - 1));
    wire nf0       = (nf == {NAW{1'b0}});
    wire can_go    = !first_sf || (reserved < RW'(OUT_DEPTH));
    wire issue     = can_go && (!nf0 || s_axis_tvalid);
    assign s_axis_tready = can_go && nf0;

    // input beats of the current pixel, re-read for nf > 0 (absent when NF = 1)
    reg [SIMD*IN_W-1:0] ibuf_q;
    reg [SIMD*IN_W-1:0] xin_b;
    generate
        if (NF > 1) begin : g_ibuf
            reg [SIMD*IN_W-1:0] ibuf[0:SF-1];
            always @(posedge clk) begin
                if (issue && nf0) ibuf[sf] <= s_axis_tdata;
                ibuf_q <= ibuf[sf];
            end
        end else begin : g_no_ibuf
            always @(posedge clk) ibuf_q <= {(SIMD * IN_W) {1'b0}};
        end
    endgenerate
    always @(posedge clk) xin_b <= s_axis_tdata;

    // weight ROM: registered read + output register
    reg [WWORD-1:0] wq1;
    reg [WWORD-1:0] wq2;
    generate
        if (WROM_STYLE == 1) begin : g_wblock
            (* rom_style = "block", ram_style = "block" *) reg [WWORD-1:0] wrom[0:WDEPTH-1];
            initial $readmemh(WEIGHT_FILE, wrom);
            always @(posedge clk) begin
                wq1 <= wrom[waddr];
                wq2 <= wq1;
            end
        end else if (WROM_STYLE == 2) begin : g_wdist
            (* rom_style = "distributed", ram_style = "distributed" *) reg [WWORD-1:0] wrom[0:WDEPTH-1];
            initial $readmemh(WEIGHT_FILE, wrom);
            always @(posedge clk) begin
                wq1 <= wrom[waddr];
                wq2 <= wq1;
            end
        end else begin : g_wauto
            reg [WWORD-1:0] wrom[0:WDEPTH-1];
            initial $readmemh(WEIGHT_FILE, wrom);
            always @(posedge clk) begin
                wq1 <= wrom[waddr];
                wq2 <= wq1;
            end
        end
    endgenerate

    // bias ROM (LUTs; NF words)
    reg [PE*ACC_W-1:0] brom[0:NF-1];
    generate
        if (USE_BIAS != 0) begin : g_bias
            initial $readmemh(BIAS_FILE, brom);
        end else begin : g_nobias
            integer bi;
            initial for (bi = 0; bi < NF; bi = bi + 1) brom[bi] = {(PE * ACC_W) {1'b0}};
        end
    endgenerate

    // pipeline control: B (ROM read), C (ROM output reg, x select), D (products), E (accumulate)
    reg           vB, vC, vD, vE;
    reg           nf0B;
    reg           firstB, firstC, firstD;
    reg           lastB, lastC, lastD;
    reg           tlB, tlC, tlD;
    reg [NAW-1:0] nfB, nfC, nfD;

    always @(posedge clk) begin
        nf0B <= nf0;
        firstB <= first_sf; firstC <= firstB; firstD <= firstC;
        lastB <= last_sf;   lastC <= lastB;   lastD <= lastC;
        tlB <= last_nf && last_pix; tlC <= tlB; tlD <= tlC;
        nfB <= nf; nfC <= nfB; nfD <= nfC;
        if (rst) begin
            vB <= 1'b0; vC <= 1'b0; vD <= 1'b0; vE <= 1'b0;
            sf <= 0; nf <= 0; pix <= 0; waddr <= 0; reserved <= 0;
        end else begin
            vB <= issue; vC <= vB; vD <= vC; vE <= vD && lastD;
            reserved <= reserved + RW'(issue && first_sf) - RW'(out_pop);
            if (issue) begin
                sf    <= last_sf ? {SAW{1'b0}} : sf + 1'b1;
                waddr <= (last_sf && last_nf) ? {WAW{1'b0}} : waddr + 1'b1;
                if (last_sf) begin
                    nf <= last_nf ? {NAW{1'b0}} : nf + 1'b1;
                    if (last_nf) pix <= last_pix ? {PAW{1'b0}} : pix + 1'b1;
                end
            end
        end
    end

    // ---------------------------------------------------------------- datapath
    reg  [SIMD*IN_W-1:0] xC;
    always @(posedge clk) xC <= nf0B ? xin_b : ibuf_q;

    reg  [PE*ACC_W-1:0]  acc;
    wire [PE*ACC_W-1:0]  bias_word = brom[nfD];
    genvar p, s;
    generate
        for (p = 0; p < PE; p = p + 1) begin : g_pe
            wire signed [PW-1:0] prod_w[0:SIMD-1];
            reg  signed [PW-1:0] prod[0:SIMD-1];
            for (s = 0; s < SIMD; s = s + 1) begin : g_simd
                wire [IN_W-1:0]       xl = xC[s*IN_W +: IN_W];
                wire signed [IN_W:0]  xs = {(IN_SIGNED != 0) && xl[IN_W-1], xl};
                wire signed [W_W-1:0] ws = wq2[(p*SIMD + s)*W_W +: W_W];
                assign prod_w[s] = xs * ws;
                always @(posedge clk) prod[s] <= prod_w[s];
            end
            reg signed [ACC_W-1:0] dot;
            integer j;
            always @* begin
                dot = {ACC_W{1'b0}};
                for (j = 0; j < SIMD; j = j + 1)
                    dot = dot + {{(ACC_W - PW) {prod[j][PW-1]}}, prod[j]};
            end
            wire [ACC_W-1:0]    base = firstD ? bias_word[p*ACC_W +: ACC_W] : acc[p*ACC_W +: ACC_W];
            always @(posedge clk) if (vD) acc[p*ACC_W +: ACC_W] <= base + (dot <<< PROD_SHIFT);
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
        .RAM_STYLE(2)
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
