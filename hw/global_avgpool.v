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
// input beat to the last output beat H*W*CF + CF*(NB + 2) + 2 cycles
// without backpressure (+2: the rounding stage and the output register).
// Timing (every path one carry chain at most): the accumulator entry of the
// next input beat is read a cycle ahead (racc), the divider's next sums
// likewise (dsum); a negative sum loads as ~s = |s| - 1 (no negation) and
// the rounding corrects for it; after its last quotient bit a beat moves to
// a rounding stage (round-up flag from constant comparisons of the
// remainder), then through sign and saturation into the output register
// slice, while the divider starts the next beat.
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
    localparam [DW:0]   DIV2 = {1'b0, DIV} - {{(DW - 1) {1'b0}}, 2'd2};                // DIV - 2 (used when DIV >= 2)
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
    localparam [VW-1:0] MAX_P = HI;   // largest magnitude of a positive / negative result
    localparam [VW-1:0] MAX_N = -LO;

    // ------------------------------------------------------------ accumulate
    reg  [PAW-1:0]        pix;       // accumulation side: pixel, channel fold, bank
    reg  [CAW-1:0]        cf;
    reg                   wbank;
    reg                   hold;      // a complete frame waits for the divider (input held off)
    reg                   dividing;  // divider side: busy with a bank, fold dcf
    reg  [CAW-1:0]        dcf;
    reg  [AAW-1:0]        pa;        // the sums the divider loads next (prefetched into dsum)
    reg  [LANES*SW-1:0]   dsum;
    reg  [LANES*SW-1:0]   acc[0:2*CF-1];
    reg  [AAW-1:0]        wa;        // the entry the next input beat adds to (bank wbank, fold cf)
    reg  [LANES*SW-1:0]   racc;      // its sum, read a cycle ahead
    reg                   pix0;      // pix == 0
    reg                   last_cf;   // cf == CF - 1
    wire                  last_dcf = (dcf == CAW'(CF - 1));
    reg                   last_pix;  // pix == N - 1
    assign s_axis_tready = !hold;
    wire take = s_axis_tvalid && !hold;
    wire frame_done = take && last_cf && last_pix;

    wire [LANES*SW-1:0] acc_nx;
    genvar i;
    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_acc
            wire [IN_W-1:0] x = s_axis_tdata[i*IN_W +: IN_W];
            wire [SW-1:0]   xe = {{(SW - IN_W) {(IN_SIGNED != 0) && x[IN_W-1]}}, x};
            assign acc_nx[i*SW +: SW] = (pix0 ? {SW{1'b0}} : racc[i*SW +: SW]) + xe;
        end
    endgenerate

    // the entry after this cycle's beat: the next fold, the bank's first at a
    // pixel's end, the other bank's first at the frame's end (no beat is taken
    // before the division of that bank has started)
    wire [AAW-1:0] wa_inc = !last_cf ? wa + 1'b1
                          : (wbank != last_pix) ? AAW'(CF) : {AAW{1'b0}};
    wire [AAW-1:0] wa_nx  = take ? wa_inc : wa;
    always @(posedge clk) if (take) acc[wa] <= acc_nx;
    // read a cycle ahead (the first pixel ignores it); with CF == 1 the next
    // beat adds to the entry written now
    always @(posedge clk) racc <= (CF == 1 && take && !last_pix) ? acc_nx : acc[wa_nx];
    // prefetch: the load step finds its sums in a register (no memory read and
    // negation in one cycle); this cycle's write to the same entry (the last
    // beat of a frame whose division starts now) is forwarded
    always @(posedge clk) dsum <= (take && wa == pa) ? acc_nx : acc[pa];

    // ------------------------------------------------------------ divide
    reg  [BAW-1:0]       step;        // 0: load, 1..NB: quotient bits, NB+1: result ready
    reg  [LANES*NB-1:0]  num;         // numerator magnitude, becomes the quotient
    reg  [LANES*DW-1:0]  rem;
    reg  [LANES-1:0]     neg;
    wire                 out_ready;
    wire [LANES*OUT_W-1:0] res;
    // stage 1: rounded magnitudes of one output beat
    reg  [LANES*NB-1:0]  s1_q;        // quotient magnitudes
    reg  [LANES-1:0]     s1_inc;      // rounding up: m = q + inc
    reg  [LANES-1:0]     s1_neg;
    reg  [LANES-1:0]     s1_big_p;    // m > HI (saturate a positive result)
    reg  [LANES-1:0]     s1_big_n;    // m > -LO (saturate a negative one)
    reg                  s1_v;
    reg                  s1_last;
    wire                 s1_load = !s1_v || out_ready;
    reg                  ld;          // step == 0
    reg                  run;         // 1 <= step <= NB
    reg                  fin;         // step == NB + 1
    wire                 emit    = dividing && fin && s1_load;

    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_div
            // a negative sum s loads ~s = |s| - 1 (|s| * 2^LSH - 1 with LSH ones
            // shifted in): no carry chain on the load; the rounding stage adds
            // the 1 back through the remainder
            wire [SW-1:0] s_l   = dsum[i*SW +: SW];
            wire          s_neg = s_l[SW-1];
            wire [NB-1:0] n_ld  = {s_l ^ {SW{s_neg}}, {LSH{s_neg}}};
            wire [NB-1:0] n_l   = num[i*NB +: NB];
            wire [DW-1:0] r_l   = rem[i*DW +: DW];
            wire [DW:0]   t     = {r_l, n_l[NB-1]};
            wire          ge    = (t >= {1'b0, DIV});
            /* verilator lint_off UNUSEDSIGNAL */
            wire [DW:0]   t_sub = t - {1'b0, DIV};
            /* verilator lint_on UNUSEDSIGNAL */
            always @(posedge clk) begin
                if (ld) begin
                    num[i*NB +: NB] <= n_ld;
                    rem[i*DW +: DW] <= {DW{1'b0}};
                    neg[i]          <= s_neg;
                end else if (run) begin
                    num[i*NB +: NB] <= {n_l[NB-2:0], ge};
                    rem[i*DW +: DW] <= ge ? t_sub[DW-1:0] : t[DW-1:0];
                end
            end
            // stage 1 (registered in s1_mag): round half to even on the final
            // quotient/remainder, magnitude only.  Negative: q, r divide |s| - 1,
            // so |s| leaves remainder r + 1 (r + 1 == DIV: quotient q + 1, 0
            // left), and 2(r + 1) > DIV is 2r > DIV - 2: constant comparisons
            wire [DW:0]   r2  = {r_l, 1'b0};
            wire          up_p = (r2 > {1'b0, DIV}) || ((r2 == {1'b0, DIV}) && n_l[0]);
            wire          up_n;
            if (N > 1 || RSH > 0) begin : g_up_n
                assign up_n = (r2 > DIV2) || ((r2 == DIV2) && n_l[0]);
            end else begin : g_up_n1  // DIV == 1: r == 0, |s| = q + 1
                assign up_n = 1'b1;
            end
            // the saturation compares too (through q and inc, constant
            // comparisons), so stage 2 is one add and a multiplexer
            wire          inc1 = neg[i] ? up_n : up_p;
            wire [VW-1:0] ne   = {{(VW - NB) {1'b0}}, n_l};
            always @(posedge clk) begin
                if (emit) begin
                    s1_q[i*NB +: NB] <= n_l;
                    s1_inc[i]        <= inc1;
                    s1_neg[i]        <= neg[i];
                    s1_big_p[i]      <= (ne > MAX_P) || (ne == MAX_P && inc1);
                    s1_big_n[i]      <= (ne > MAX_N) || (ne == MAX_N && inc1);
                end
            end
            // stage 2 (into the output register slice): the rounded magnitude
            // m = q + inc, signed and saturated (the flags of stage 1); only
            // OUT_W bits are added: m or -m = ~q + !inc
            /* verilator lint_off UNUSEDSIGNAL */
            wire [NB-1:0]    q   = s1_q[i*NB +: NB];
            /* verilator lint_on UNUSEDSIGNAL */
            wire             inc = s1_inc[i];
            wire             big_p = s1_big_p[i];
            wire             big_n = s1_big_n[i];
            wire [OUT_W-1:0] pos = big_p ? HI[OUT_W-1:0] : q[OUT_W-1:0] + {{(OUT_W - 1) {1'b0}}, inc};
            wire [OUT_W-1:0] ngv = big_n ? LO[OUT_W-1:0] : ~q[OUT_W-1:0] + {{(OUT_W - 1) {1'b0}}, !inc};
            assign res[i*OUT_W +: OUT_W] = s1_neg[i] ? ngv : pos;
        end
    endgenerate

    wire div_done = emit && last_dcf;
    // hand a complete frame's bank to the divider once it is (about to be) free
    wire start    = (frame_done || hold) && (!dividing || div_done);

    always @(posedge clk) begin
        if (rst) begin
            pix <= 0; cf <= 0; wbank <= 1'b0; hold <= 1'b0; wa <= 0; pix0 <= 1'b1;
            last_cf <= (CF == 1); last_pix <= (N == 1);
            dividing <= 1'b0; dcf <= 0; step <= 0; pa <= 0;
            ld <= 1'b1; run <= 1'b0; fin <= 1'b0;
            s1_v <= 1'b0;
        end else begin
            if (s1_load) begin
                s1_v    <= emit;
                s1_last <= last_dcf;
            end
            wa <= wa_nx;
            if (take) begin
                cf <= last_cf ? {CAW{1'b0}} : cf + 1'b1;
                last_cf <= (CF == 1) || (!last_cf && cf == CAW'(CF - 2));
                if (last_cf) begin
                    pix  <= last_pix ? {PAW{1'b0}} : pix + 1'b1;
                    pix0 <= last_pix;
                    last_pix <= (N == 1) || (!last_pix && pix == PAW'(N - 2));
                end
            end
            // after a frame's last load, the next frame's bank: the one accumulating
            if (dividing && ld)
                pa <= !last_dcf ? pa + 1'b1 : wbank ? AAW'(CF) : {AAW{1'b0}};
            if (dividing) begin
                if (!fin) begin
                    step <= step + 1'b1;
                    ld   <= 1'b0;
                    run  <= (step != BAW'(NB));
                    fin  <= (step == BAW'(NB));
                end else if (emit) begin
                    step <= 0;
                    ld   <= 1'b1;
                    fin  <= 1'b0;
                    dcf <= last_dcf ? {CAW{1'b0}} : dcf + 1'b1;
                    if (last_dcf) dividing <= 1'b0;
                end
            end
            if (start) begin
                dividing <= 1'b1;
                wbank <= ~wbank;
                dcf <= 0;
                step <= 0;
                ld <= 1'b1; run <= 1'b0; fin <= 1'b0;
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
        .s_axis_tlast (s1_last),
        .s_axis_tvalid(s1_v),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
