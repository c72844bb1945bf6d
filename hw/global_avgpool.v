// global_avgpool: global average pool with exact rounding.
//
// Per channel: q = round_half_even(sum_{h,w} x / (H*W) * 2^-SHIFT), then
// saturation to OUT_W bits (signed/unsigned, optionally narrow) -- exactly
// sim/golden/ops.py global_avgpool(x, SHIFT, OUT_W, OUT_SIGNED, "ROUND",
// NARROW).  The division is an exact restoring divider on the magnitude (one
// quotient bit per cycle, LANES lanes in parallel); the remainder decides
// the rounding, so no reciprocal approximation is involved.
//
// Input: one H x W image per frame, channels-last, C channels folded over
// CF = ceil(C/LANES) beats of LANES lanes (IN_W bits).  Output: one pixel,
// CF beats of LANES lanes (OUT_W bits), tlast on the last; s_axis_tlast is
// ignored.
// Cycles: the input moves at 1 beat/cycle (H*W*CF cycles per frame); each
// output beat takes NB + 2 cycles (NB = numerator bits = IN_W + clog2(H*W)
// + 1 + max(0, -SHIFT)).  Two accumulator banks: the next frame accumulates
// in one while the other is divided, so a frame takes max(H*W*CF,
// CF*(NB + 2)) cycles in steady state (the input is held off only when a
// frame is complete before the previous one's division is); from the first
// input beat to the last output beat H*W*CF + CF*(NB + 2) + 1 cycles
// without backpressure (+1: output register).
// Reset: synchronous, active high; back to accumulating the first pixel.
`default_nettype none

module global_avgpool #(
    parameter integer H          = 4,  // input height
    parameter integer W          = 4,  // input width
    parameter integer C          = 4,  // channels
    parameter integer LANES      = 4,  // channels per beat
    parameter integer IN_W       = 8,  // input lane width
    parameter integer IN_SIGNED  = 0,  // 1: input lanes are two's complement
    parameter integer OUT_W      = 8,  // output lane width
    parameter integer OUT_SIGNED = 0,  // 1: signed output range
    parameter integer NARROW     = 0,  // 1: narrow output range
    parameter integer SHIFT      = 0   // extra scale: divide by (H*W) * 2^SHIFT (SHIFT may be < 0)
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire [LANES*IN_W-1:0]  s_axis_tdata,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                   s_axis_tlast,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    output wire [LANES*OUT_W-1:0] m_axis_tdata,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam integer N    = H * W;
    localparam integer CF   = (C + LANES - 1) / LANES;
    localparam integer SW   = IN_W + $clog2(N + 1) + 1;         // signed sum width
    localparam integer LSH  = (SHIFT < 0) ? -SHIFT : 0;
    localparam integer RSH  = (SHIFT > 0) ? SHIFT : 0;
    localparam integer NB   = SW + LSH;                         // magnitude bits
    localparam integer DW   = $clog2(N + 1) + RSH + 1;          // divisor / remainder width
    localparam [DW-1:0] DIV = DW'(N) << RSH;
    localparam integer VW   = (NB + 2 > OUT_W + 2) ? NB + 2 : OUT_W + 2;
    localparam integer PAW  = (N > 1) ? $clog2(N) : 1;
    localparam integer CAW  = (CF > 1) ? $clog2(CF) : 1;
    localparam integer AAW  = $clog2(2 * CF);                   // both accumulator banks
    localparam integer BAW  = $clog2(NB + 2);                   // step counts 0..NB+1

    generate
        if (H < 1 || W < 1 || C < 1 || LANES < 1 || IN_W < 2 || OUT_W < 2) begin : g_bad_size
            $fatal(1, "global_avgpool: sizes must be >= 1 and widths >= 2");
        end
        if (SHIFT > 24 || SHIFT < -24) begin : g_bad_shift
            $fatal(1, "global_avgpool: SHIFT must lie in [-24, 24]");
        end
    endgenerate

    localparam [VW-1:0] HI_S = {{(VW - OUT_W + 1) {1'b0}}, {(OUT_W - 1) {1'b1}}};
    localparam [VW-1:0] HI_U = {{(VW - OUT_W) {1'b0}}, {(OUT_W - 1) {1'b1}}, NARROW == 0};
    localparam [VW-1:0] LO_S = {{(VW - OUT_W + 1) {1'b1}}, {(OUT_W - 2) {1'b0}}, NARROW != 0};
    localparam signed [VW-1:0] HI = (OUT_SIGNED != 0) ? HI_S : HI_U;
    localparam signed [VW-1:0] LO = (OUT_SIGNED != 0) ? LO_S : {VW{1'b0}};

    // ------------------------------------------------------------ accumulate
    reg  [PAW-1:0]        pix;       // accumulation side: pixel, channel fold, bank
    reg  [CAW-1:0]        cf;
    reg                   wbank;
    reg                   hold;      // a complete frame waits for the divider (input held off)
    reg                   dividing;  // divider side: busy with bank dbank, fold dcf
    reg                   dbank;
    reg  [CAW-1:0]        dcf;
    reg  [LANES*SW-1:0]   acc[0:2*CF-1];
    wire [AAW-1:0]        wa       = wbank ? AAW'(CF) + AAW'(cf) : AAW'(cf);
    wire [AAW-1:0]        da       = dbank ? AAW'(CF) + AAW'(dcf) : AAW'(dcf);
    wire [LANES*SW-1:0]   acc_rd   = acc[wa];
    wire [LANES*SW-1:0]   div_rd   = acc[da];
    wire                  last_cf  = (cf == CAW'(CF - 1));
    wire                  last_dcf = (dcf == CAW'(CF - 1));
    wire                  last_pix = (pix == PAW'(N - 1));
    assign s_axis_tready = !hold;
    wire take = s_axis_tvalid && !hold;
    wire frame_done = take && last_cf && last_pix;

    wire [LANES*SW-1:0] acc_nx;
    genvar i;
    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_acc
            wire [IN_W-1:0] x = s_axis_tdata[i*IN_W +: IN_W];
            wire [SW-1:0]   xe = {{(SW - IN_W) {(IN_SIGNED != 0) && x[IN_W-1]}}, x};
            assign acc_nx[i*SW +: SW] = ((pix == {PAW{1'b0}}) ? {SW{1'b0}} : acc_rd[i*SW +: SW]) + xe;
        end
    endgenerate

    always @(posedge clk) if (take) acc[wa] <= acc_nx;

    // ------------------------------------------------------------ divide
    reg  [BAW-1:0]       step;        // 0: load, 1..NB: quotient bits, NB+1: result ready
    reg  [LANES*NB-1:0]  num;         // numerator magnitude, becomes the quotient
    reg  [LANES*DW-1:0]  rem;
    reg  [LANES-1:0]     neg;
    wire                 out_ready;
    wire [LANES*OUT_W-1:0] res;

    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_div
            wire [SW-1:0] s_l   = div_rd[i*SW +: SW];
            wire          s_neg = s_l[SW-1];
            wire [SW-1:0] s_mag = s_neg ? -s_l : s_l;
            wire [NB-1:0] n_ld  = NB'(s_mag) << LSH;
            wire [NB-1:0] n_l   = num[i*NB +: NB];
            wire [DW-1:0] r_l   = rem[i*DW +: DW];
            wire [DW:0]   t     = {r_l, n_l[NB-1]};
            wire          ge    = (t >= {1'b0, DIV});
            /* verilator lint_off UNUSEDSIGNAL */
            wire [DW:0]   t_sub = t - {1'b0, DIV};
            /* verilator lint_on UNUSEDSIGNAL */
            always @(posedge clk) begin
                if (step == {BAW{1'b0}}) begin
                    num[i*NB +: NB] <= n_ld;
                    rem[i*DW +: DW] <= {DW{1'b0}};
                    neg[i]          <= s_neg;
                end else if (step <= BAW'(NB)) begin
                    num[i*NB +: NB] <= {n_l[NB-2:0], ge};
                    rem[i*DW +: DW] <= ge ? t_sub[DW-1:0] : t[DW-1:0];
                end
            end
            // round half to even on the final quotient/remainder, sign, saturate
            wire [DW:0]   r2  = {r_l, 1'b0};
            wire          up  = (r2 > {1'b0, DIV}) || ((r2 == {1'b0, DIV}) && n_l[0]);
            wire [VW-1:0] mag = {{(VW - NB) {1'b0}}, n_l} + {{(VW - 1) {1'b0}}, up};
            wire signed [VW-1:0] v = neg[i] ? -mag : mag;
            /* verilator lint_off UNUSEDSIGNAL */
            wire signed [VW-1:0] sat = (v > HI) ? HI : (v < LO) ? LO : v;
            /* verilator lint_on UNUSEDSIGNAL */
            assign res[i*OUT_W +: OUT_W] = sat[OUT_W-1:0];
        end
    endgenerate

    wire emit     = dividing && (step == BAW'(NB + 1)) && out_ready;
    wire div_done = emit && last_dcf;
    // hand a complete frame's bank to the divider once it is (about to be) free
    wire start    = (frame_done || hold) && (!dividing || div_done);

    always @(posedge clk) begin
        if (rst) begin
            pix <= 0; cf <= 0; wbank <= 1'b0; hold <= 1'b0;
            dividing <= 1'b0; dbank <= 1'b0; dcf <= 0; step <= 0;
        end else begin
            if (take) begin
                cf <= last_cf ? {CAW{1'b0}} : cf + 1'b1;
                if (last_cf) pix <= last_pix ? {PAW{1'b0}} : pix + 1'b1;
            end
            if (dividing) begin
                if (step <= BAW'(NB)) step <= step + 1'b1;
                else if (emit) begin
                    step <= 0;
                    dcf <= last_dcf ? {CAW{1'b0}} : dcf + 1'b1;
                    if (last_dcf) dividing <= 1'b0;
                end
            end
            if (start) begin
                dividing <= 1'b1;
                dbank <= wbank;
                wbank <= ~wbank;
                dcf <= 0;
                step <= 0;
                hold <= 1'b0;
            end else if (frame_done) begin
                hold <= 1'b1;
            end
        end
    end

    axis_register #(
        .DATA_W(LANES * OUT_W)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (res),
        .s_axis_tlast (last_dcf),
        .s_axis_tvalid(dividing && (step == BAW'(NB + 1))),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
