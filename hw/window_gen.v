// window_gen: line buffer / sliding-window generator for K x K windows.
//
// Input: one H x W image per frame, channels-last, C channels folded over
// CF = ceil(C/LANES) beats of LANES lanes (DATA_W bits each) per pixel.
// Output: for every output pixel (raster order) its K x K window of the
// padded image, order (ky, kx, channel fold): K*K*CF beats per output pixel.
// Beats in the padding are all-zero data with m_axis_tuser = 1 (a max-pool
// ignores them, a convolution multiplies the zeros).  m_axis_tlast marks the
// last beat of the frame; s_axis_tlast is ignored (geometry is fixed).
//
// Output size: OH = (H + PAD_T + PAD_B - K) / S + 1, OW likewise (floor;
// a ceil-mode pool passes the enlarged PAD_B / PAD_R).
//
// Storage: NROWS image rows of W*CF words of LANES*DATA_W bits in one simple
// dual-port RAM (block RAM friendly: write port + registered read), used as a
// ring that runs on across frames: NROWS = max(K + S, RL + RF) where RL =
// H - ((OH-1)*S - PAD_T) rows are read by the last output row and RF =
// min(H, K - PAD_T) rows start the next frame (RL + RF > K + S only when a
// floor-mode size drops input rows at the bottom).  The writer fills a row
// once a slot is free (the reader releases rows below its current window
// row); the reader starts an output row once all its input rows are complete.
//
// Cycles: the output moves 1 beat/cycle (OH*OW*K*K*CF beats per frame) as
// long as the input keeps up, across frame boundaries too: while the last
// output row of a frame is read, the first RF rows of the next frame are
// written.  The first beat leaves 2 cycles after input row
// min(H, K - PAD_T) - 1 is complete.
// Reset: synchronous, active high; back to an empty buffer.
`default_nettype none

module window_gen #(
    parameter integer H         = 8,  // input image height in pixels
    parameter integer W         = 8,  // input image width in pixels
    parameter integer C         = 4,  // channels per pixel
    parameter integer LANES     = 4,  // channels per beat (folding: CF = ceil(C/LANES))
    parameter integer DATA_W    = 8,  // bits per channel lane
    parameter integer K         = 3,  // kernel height and width
    parameter integer S         = 1,  // stride (both directions)
    parameter integer PAD_T     = 1,  // zero rows above the image (< K)
    parameter integer PAD_L     = 1,  // zero columns left of the image (< K)
    parameter integer PAD_B     = 1,  // zero rows below the image (< K)
    parameter integer PAD_R     = 1,  // zero columns right of the image (< K)
    parameter integer RAM_STYLE = 0   // line buffer: 0 auto, 1 block RAM, 2 LUT RAM
) (
    input  wire                    clk,
    input  wire                    rst,
    input  wire [LANES*DATA_W-1:0] s_axis_tdata,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                    s_axis_tlast,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    output wire [LANES*DATA_W-1:0] m_axis_tdata,
    output wire                    m_axis_tuser,
    output wire                    m_axis_tlast,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready
);
    localparam integer CF    = (C + LANES - 1) / LANES;
    localparam integer OH    = (H + PAD_T + PAD_B - K) / S + 1;
    localparam integer OW    = (W + PAD_L + PAD_R - K) / S + 1;
    localparam integer KS    = (K > S) ? K : S;  // rows a window row spans or skips
    localparam integer RL    = H - (((OH - 1) * S > PAD_T) ? (OH - 1) * S - PAD_T : 0);
    localparam integer RF    = (K - PAD_T < H) ? K - PAD_T : H;
    localparam integer NROWS = (RL + RF > K + S) ? RL + RF : K + S;
    // slot advance of padded row 0 from the last output row to the next frame
    localparam integer FADV  = ((H - (OH - 1) * S) % NROWS + NROWS) % NROWS;
    localparam integer DEPTH = NROWS * W * CF;
    localparam integer AW    = (DEPTH > 1) ? $clog2(DEPTH) : 1;
    localparam integer BW    = LANES * DATA_W;
    localparam integer CW    = $clog2(H + W + 3 * K + 2 * S + CF + 4) + 1;  // counter width
    localparam integer EW    = AW + CW + 1;                                  // address math width

    generate
        if (H < 1 || W < 1 || C < 1 || LANES < 1 || DATA_W < 1 || K < 1 || S < 1) begin : g_bad_size
            $fatal(1, "window_gen: H, W, C, LANES, DATA_W, K, S must be >= 1");
        end
        if (PAD_T < 0 || PAD_L < 0 || PAD_B < 0 || PAD_R < 0 ||
            PAD_T >= K || PAD_L >= K || PAD_B >= K || PAD_R >= K) begin : g_bad_pad
            $fatal(1, "window_gen: every padding must lie in [0, K-1]");
        end
        if (H + PAD_T + PAD_B < K || W + PAD_L + PAD_R < K) begin : g_bad_k
            $fatal(1, "window_gen: kernel larger than the padded image");
        end
        if (RAM_STYLE < 0 || RAM_STYLE > 2) begin : g_bad_style
            $fatal(1, "window_gen: RAM_STYLE must be 0, 1 or 2");
        end
    endgenerate

    // ------------------------------------------------------------ writer
    reg  [CW-1:0] wx;
    reg  [CW-1:0] wcf;
    reg  [AW-1:0] waddr;   // row-major over the NROWS slots, wraps at DEPTH
    reg  [CW-1:0] ahead;   // complete rows not yet released by the reader
    // ------------------------------------------------------------ reader
    reg  [CW-1:0] oys;     // oy * S: first padded row of the current window row
    reg  [CW-1:0] oxs;     // ox * S
    reg  [CW-1:0] oy;
    reg  [CW-1:0] ox;
    reg  [CW-1:0] ky;
    reg  [CW-1:0] kx;
    reg  [CW-1:0] rcf;
    reg  [CW-1:0] base_slot;  // line-buffer slot of padded row oys (input row oys - PAD_T)

    wire          wr_room  = (ahead < CW'(NROWS));
    wire          wr_en    = s_axis_tvalid && wr_room;
    wire          row_done = wr_en && (wcf == CW'(CF - 1)) && (wx == CW'(W - 1));
    assign s_axis_tready = wr_room;

    wire last_oy  = (oy == CW'(OH - 1));
    // input rows of the reader's frame: released below lo, needed below need
    /* verilator lint_off UNSIGNED */
    /* verilator lint_off CMPCONST */
    wire [CW-1:0] lo      = (oys >= CW'(PAD_T)) ? oys - CW'(PAD_T) : {CW{1'b0}};
    wire [CW-1:0] lo_next = (oys + CW'(S) >= CW'(PAD_T)) ? oys + CW'(S) - CW'(PAD_T) : {CW{1'b0}};
    /* verilator lint_on CMPCONST */
    /* verilator lint_on UNSIGNED */
    // rows that must be complete: the window's, and every row released when the
    // reader leaves this window row (all H at the last one), so that releases
    // never outrun the writer
    wire [CW-1:0] need    = (last_oy || oys + CW'(KS - PAD_T) >= CW'(H)) ? CW'(H)
                          : oys + CW'(KS - PAD_T);
    wire rows_ready = (lo + ahead >= need);
    wire out_ready;             // output register slice can take a beat
    reg  v1;                    // RAM read stage holds a beat
    wire adv   = !v1 || out_ready;
    wire issue = adv && rows_ready;

    wire [CW-1:0] iy_p = oys + ky;  // padded coordinates
    wire [CW-1:0] ix_p = oxs + kx;
    // constant comparisons when a padding is 0 are expected
    /* verilator lint_off UNSIGNED */
    /* verilator lint_off CMPCONST */
    wire pad = (iy_p < CW'(PAD_T)) || (iy_p >= CW'(PAD_T + H)) ||
               (ix_p < CW'(PAD_L)) || (ix_p >= CW'(PAD_L + W));
    /* verilator lint_on CMPCONST */
    /* verilator lint_on UNSIGNED */
    wire [CW-1:0] slot_sum = base_slot + ky;
    wire [CW-1:0] slot     = (slot_sum >= CW'(NROWS)) ? slot_sum - CW'(NROWS) : slot_sum;
    // slot * W * CF as a mux over the NROWS constants (no multiplier/DSP)
    function [EW-1:0] slot_base(input [CW-1:0] sl);
        integer q;
        begin
            slot_base = {EW{1'b0}};
            for (q = 0; q < NROWS; q = q + 1)
                if (sl == CW'(q)) slot_base = EW'(q * W * CF);
        end
    endfunction
    /* verilator lint_off UNUSEDSIGNAL */
    wire [EW-1:0] raddr_w  = slot_base(slot)
                           + {{(EW - CW) {1'b0}}, ix_p - CW'(PAD_L)} * EW'(CF)
                           + {{(EW - CW) {1'b0}}, rcf};
    /* verilator lint_on UNUSEDSIGNAL */
    wire [AW-1:0] raddr = raddr_w[AW-1:0];

    wire last_cf  = (rcf == CW'(CF - 1));
    wire last_kx  = (kx == CW'(K - 1));
    wire last_ky  = (ky == CW'(K - 1));
    wire last_ox  = (ox == CW'(OW - 1));
    wire last_all = last_cf && last_kx && last_ky && last_ox && last_oy;
    wire row_end  = issue && last_cf && last_kx && last_ky && last_ox;
    // rows released when the reader leaves its current window row
    wire [CW-1:0] rel = !row_end ? {CW{1'b0}} : last_oy ? CW'(H) - lo : lo_next - lo;

    // --------------------------------------------------------- line RAM
    reg [BW-1:0] ram_q;
    generate
        if (RAM_STYLE == 1) begin : g_block
            (* ram_style = "block" *) reg [BW-1:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_en) mem[waddr] <= s_axis_tdata;
                if (adv) ram_q <= mem[raddr];
            end
        end else if (RAM_STYLE == 2) begin : g_dist
            (* ram_style = "distributed" *) reg [BW-1:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_en) mem[waddr] <= s_axis_tdata;
                if (adv) ram_q <= mem[raddr];
            end
        end else begin : g_auto
            reg [BW-1:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_en) mem[waddr] <= s_axis_tdata;
                if (adv) ram_q <= mem[raddr];
            end
        end
    endgenerate

    reg pad1;
    reg last1;

    always @(posedge clk) begin
        if (adv) begin
            pad1  <= pad;
            last1 <= last_all;
        end
        if (rst) begin
            wx <= 0; wcf <= 0; waddr <= 0; ahead <= 0;
            oys <= 0; oxs <= 0; oy <= 0; ox <= 0; ky <= 0; kx <= 0; rcf <= 0;
            base_slot <= CW'((NROWS - PAD_T) % NROWS);
            v1 <= 1'b0;
        end else begin
            if (adv) v1 <= issue;
            ahead <= ahead + {{(CW - 1) {1'b0}}, row_done} - rel;
            // writer: rows in ring order, frame after frame
            if (wr_en) begin
                waddr <= (waddr == AW'(DEPTH - 1)) ? {AW{1'b0}} : waddr + 1'b1;
                if (wcf == CW'(CF - 1)) begin
                    wcf <= 0;
                    if (wx == CW'(W - 1)) begin
                        wx <= 0;
                    end else begin
                        wx <= wx + 1'b1;
                    end
                end else begin
                    wcf <= wcf + 1'b1;
                end
            end
            // reader
            if (issue) begin
                rcf <= last_cf ? 0 : rcf + 1'b1;
                if (last_cf) begin
                    kx <= last_kx ? 0 : kx + 1'b1;
                    if (last_kx) begin
                        ky <= last_ky ? 0 : ky + 1'b1;
                        if (last_ky) begin
                            ox  <= last_ox ? 0 : ox + 1'b1;
                            oxs <= last_ox ? 0 : oxs + CW'(S);
                            if (last_ox) begin
                                oy  <= last_oy ? 0 : oy + 1'b1;
                                oys <= last_oy ? 0 : oys + CW'(S);
                                base_slot <= last_oy
                                           ? ((base_slot + CW'(FADV) >= CW'(NROWS))
                                              ? base_slot + CW'(FADV) - CW'(NROWS)
                                              : base_slot + CW'(FADV))
                                           : (base_slot + CW'(S % NROWS) >= CW'(NROWS))
                                             ? base_slot + CW'(S % NROWS) - CW'(NROWS)
                                             : base_slot + CW'(S % NROWS);
                            end
                        end
                    end
                end
            end
        end
    end

    wire [BW-1:0] out_data = pad1 ? {BW{1'b0}} : ram_q;
    wire [BW:0]   m_payload;

    axis_register #(
        .DATA_W(BW + 1)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata ({pad1, out_data}),
        .s_axis_tlast (last1),
        .s_axis_tvalid(v1),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_payload),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
    assign m_axis_tdata = m_payload[BW-1:0];
    assign m_axis_tuser = m_payload[BW];
endmodule

`default_nettype wire
