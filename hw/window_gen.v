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
// Storage: NROWS image rows of W*CF words of LANES*DATA_W bits in simple
// dual-port RAM (block RAM friendly: write port + registered read), split in
// banks (of one block RAM's depth (BANK_DEPTH) so that the bank multiplexer
// follows a register instead of a block RAM's output), used as a ring that
// runs on across frames: NROWS = max(K + S, RL + RF) where RL = H -
// ((OH-1)*S - PAD_T) rows are read by the last output row and RF =
// min(H, K - PAD_T) rows start the next frame (RL + RF > K + S only when a
// floor-mode size drops input rows at the bottom).  The writer fills a row
// once a slot is free (the reader releases rows below its current window
// row); the reader starts an output row once all its input rows are complete.
//
// Cycles: the output moves 1 beat/cycle (OH*OW*K*K*CF beats per frame) as
// long as the input keeps up, across frame boundaries too: while the last
// output row of a frame is read, the first RF rows of the next frame are
// written.  The first beat leaves 4 cycles after input row
// min(H, K - PAD_T) - 1 is complete (the registered row count check, RAM
// read, a register after the RAM -- a block RAM's clock-to-out is most of a
// cycle on ECP5 -- and the output register slice).
// Timing: no multiplier and one carry chain per path; the read address is
// the sum of a row and a column register that step with the counters.
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
    parameter integer RAM_STYLE = 0,  // line buffer: 0 auto, 1 block RAM, 2 LUT RAM
    // words per line-RAM bank, a power of two >= 2; 0: a block RAM's depth at
    // LANES*DATA_W bits (16384 / 8192 / 4096 / 2048 / 1024 / 512 words up to
    // 1 / 2 / 4 / 9 / 18 / more bits, ECP5 DP16KD and Xilinx RAMB18 alike)
    parameter integer BANK_DEPTH = 0
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
    localparam integer BD_BLOCK = (BW <= 1) ? 16384 : (BW <= 2) ? 8192 : (BW <= 4) ? 4096
                                : (BW <= 9) ? 2048 : (BW <= 18) ? 1024 : 512;
    localparam integer BD    = (BANK_DEPTH > 0) ? BANK_DEPTH : BD_BLOCK;
    localparam integer NB    = (DEPTH + BD - 1) / BD;    // line-RAM banks
    localparam integer REM   = DEPTH - (NB - 1) * BD;   // words in the last bank
    localparam integer LW    = $clog2(BD);
    localparam integer SW    = (NB > 1) ? AW - LW : 1;  // bank select width

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
        if (BANK_DEPTH != 0 && (BANK_DEPTH < 2 || (1 << $clog2(BANK_DEPTH)) != BANK_DEPTH)) begin : g_bad_bank
            $fatal(1, "window_gen: BANK_DEPTH must be 0 or a power of two >= 2");
        end
    endgenerate

    // ------------------------------------------------------------ writer
    reg  [CW-1:0] wx;
    reg  [CW-1:0] wcf;
    reg  [AW-1:0] waddr;   // row-major over the NROWS slots, wraps at DEPTH
    reg  [CW-1:0] free;    // NROWS - complete rows not yet released by the reader
    // ------------------------------------------------------------ reader
    // Counters of the beat being issued, and everything derived from them kept
    // as registers that step with them (no multiplier, one carry chain per
    // path): padded coordinates iy/ix, the line-buffer address of the row
    // (rowb) and column (colr), and per window row the rows it needs (nd) and
    // releases when left (rel).
    reg  [CW-1:0] oys;     // oy * S: first padded row of the current window row
    reg  [CW-1:0] oxs;     // ox * S
    reg  [CW-1:0] oy;
    reg  [CW-1:0] ox;
    reg  [CW-1:0] ky;
    reg  [CW-1:0] kx;
    reg  [CW-1:0] rcf;
    reg  [CW-1:0] iy;      // oys + ky: padded row
    reg  [CW-1:0] ix;      // oxs + kx: padded column
    reg  [AW-1:0] brow;    // slot of padded row oys (input row oys - PAD_T), times W*CF
    reg  [AW-1:0] rowb;    // slot of padded row iy, times W*CF
    reg  [AW-1:0] oxb;     // (oxs - PAD_L) * CF, modulo 2^AW
    reg  [AW-1:0] colr;    // (ix - PAD_L) * CF + rcf, modulo 2^AW
    reg  [CW-1:0] avail;   // complete rows of the reader's frame (released ones included)
    reg  [CW-1:0] lo2;     // rows released once the reader leaves this window row
    reg  [CW-1:0] nd;      // rows this window row needs complete
    reg  [CW-1:0] rel;     // rows this window row releases when it is left

    // free != 0 as a register (computed from free's next value), so that
    // s_axis_tready leaves a flop and the upstream handshake logic does not
    // run through a zero detector into the counters
    reg           wr_room;
    wire          wr_en    = s_axis_tvalid && wr_room;
    reg           wcf_last;  // wcf == CF - 1
    reg           wx_last;   // wx == W - 1
    wire          row_done = wr_en && wcf_last && wx_last;
    assign s_axis_tready = wr_room;

    // avail >= nd, registered: one cycle late, never early (avail only grows
    // between window rows; at a row's end it compares with the next row's nd)
    reg  rows_ready;
    wire out_ready;             // output register slice can take a beat
    reg  v1;                    // RAM read stage holds a beat
    reg  v2;                    // the stage after it (the block RAM's slow clock-to-out)
    wire adv2  = !v2 || out_ready;
    wire adv   = !v1 || adv2;
    wire issue = adv && rows_ready;

    // constant comparisons when a padding is 0 are expected
    /* verilator lint_off UNSIGNED */
    /* verilator lint_off CMPCONST */
    wire pad = (iy < CW'(PAD_T)) || (iy >= CW'(PAD_T + H)) ||
               (ix < CW'(PAD_L)) || (ix >= CW'(PAD_L + W));
    /* verilator lint_on CMPCONST */
    /* verilator lint_on UNSIGNED */
    wire [AW-1:0] raddr = rowb + colr;  // in range whenever the beat is not padding

    // the counters' last-count flags (rcf == CF - 1, kx == K - 1, ...) kept as
    // registers that step with them, so issue -> row end -> the row counts and
    // rows-ready start at flops, not at compares
    reg  last_cf, last_kx, last_ky, last_ox, last_oy;
    wire nx_last  = (OH == 1) || (oy == CW'(OH - 2));  // the next window row is the frame's last
    wire last_all = last_cf && last_kx && last_ky && last_ox && last_oy;
    wire row_end  = issue && last_cf && last_kx && last_ky && last_ox;

    // x >= c for a constant c that may be <= 0
    function automatic ge(input [CW-1:0] x, input integer c);
        ge = (c <= 0) || (x >= CW'(c));
    endfunction
    // an address plus a constant step (< DEPTH), modulo DEPTH
    function automatic [AW-1:0] step_mod(input [AW-1:0] a, input integer c);
        step_mod = (c == 0) ? a : (a >= AW'(DEPTH - c)) ? a - AW'(DEPTH - c) : a + AW'(c);
    endfunction
    // per window row, from the current oys (lo(o) = max(o - PAD_T, 0) rows
    // released before window row o; the next row starts at oys + S):
    wire [CW-1:0] lo3   = ge(oys, PAD_T - 2 * S + 1) ? oys + CW'(2 * S - PAD_T) : {CW{1'b0}};
    // rows the next window row needs, nd_nx = (nx_last || oys >= H + PAD_T - S -
    // KS) ? H : oys + S + KS - PAD_T, kept as a register ndn (== nd_nx always),
    // updated with oy / oys at the row end from their current values (oy + 1,
    // oys + S), so the rows-ready compare starts at flops
    localparam integer ND_NX0 = (OH <= 2 || H + PAD_T - S - KS <= 0) ? H : S + KS - PAD_T;
    reg  [CW-1:0] ndn;
    wire          nx2_last = (OH >= 3) && (oy == CW'(OH - 3));   // oy + 1 == OH - 2
    wire [CW-1:0] ndn_step = (nx2_last || ge(oys, H + PAD_T - 2 * S - KS)) ? CW'(H)
                           : oys + CW'(2 * S + KS - PAD_T);
    wire [CW-1:0] rl_nx = nx_last ? CW'(H) - lo2
                        : ge(oys, PAD_T - S) ? CW'(S) : lo3;   // lo3 - lo2, lo2 = 0 below
    // the first window row of a frame
    localparam integer LO2_0 = (S > PAD_T) ? S - PAD_T : 0;
    localparam integer ND_0  = (OH == 1 || KS - PAD_T >= H) ? H : KS - PAD_T;
    localparam integer REL_0 = (OH == 1) ? H : LO2_0;
    localparam integer BROW0 = ((NROWS - PAD_T) % NROWS) * W * CF;
    localparam integer OXB0  = ((1 << AW) - PAD_L * CF) % (1 << AW);
    localparam integer RW    = W * CF;                       // one line-buffer row
    wire [CW-1:0] free_rel   = free + rel;
    wire          free_0     = (free == {CW{1'b0}});
    wire          free_1     = (free == CW'(1));
    wire          free_rel_0 = (free_rel == {CW{1'b0}});
    wire          free_rel_1 = (free_rel == CW'(1));
    // the row counts for every outcome of this cycle's row end and row_done,
    // from registers only: the handshakes (the reader's issue, the writer's
    // input valid) select among them and reach no carry chain
    wire [CW-1:0] free_m1     = free - 1'b1;
    wire [CW-1:0] free_rel_m1 = free_rel - 1'b1;
    wire [CW-1:0] avail_p1    = avail + 1'b1;
    wire [CW-1:0] avail_h     = avail - CW'(H);
    wire [CW-1:0] avail_h_p1  = avail - CW'(H - 1);
    wire [AW-1:0] brow_nx = last_oy ? step_mod(brow, (FADV % NROWS) * RW)
                                    : step_mod(brow, (S % NROWS) * RW);

    // --------------------------------------------------------- line RAM
    // NB banks of BD words (the last one rounded up to a power of two), each
    // with its own read register and the register after it (d2); the bank
    // multiplexer follows d2, so a block RAM's output only feeds a register.
    // no_rw_check: the reader never reads a word the writer writes in the same
    // cycle (complete rows only; padding beats read any word and drop it), so
    // yosys adds no read-first bypass after the RAM.
    reg  [SW-1:0]    sel1;   // bank of the beat in the read register
    reg  [SW-1:0]    sel2;   // bank of the beat in d2
    reg  [NB*BW-1:0] d2;     // per bank: the register after its read register
    genvar b;
    generate
        for (b = 0; b < NB; b = b + 1) begin : g_bank
            localparam integer BDB = (NB == 1) ? DEPTH : (b < NB - 1) ? BD
                                   : (REM <= 2) ? 2 : (1 << $clog2(REM));
            localparam integer BAW = $clog2(BDB);
            wire we;
            reg [BW-1:0] ram_q;
            if (NB == 1) begin : g_we_all
                assign we = wr_en;
            end else begin : g_we_bank
                assign we = wr_en && (waddr[AW-1:LW] == SW'(b));
            end
            if (RAM_STYLE == 1) begin : g_block
                (* ram_style = "block", no_rw_check *) reg [BW-1:0] mem[0:BDB-1];
                always @(posedge clk) begin
                    if (we) mem[waddr[BAW-1:0]] <= s_axis_tdata;
                    if (adv) ram_q <= mem[raddr[BAW-1:0]];
                end
            end else if (RAM_STYLE == 2) begin : g_dist
                (* ram_style = "distributed", no_rw_check *) reg [BW-1:0] mem[0:BDB-1];
                always @(posedge clk) begin
                    if (we) mem[waddr[BAW-1:0]] <= s_axis_tdata;
                    if (adv) ram_q <= mem[raddr[BAW-1:0]];
                end
            end else begin : g_auto
                (* no_rw_check *) reg [BW-1:0] mem[0:BDB-1];
                always @(posedge clk) begin
                    if (we) mem[waddr[BAW-1:0]] <= s_axis_tdata;
                    if (adv) ram_q <= mem[raddr[BAW-1:0]];
                end
            end
            always @(posedge clk) begin
                if (adv2) d2[b*BW +: BW] <= ram_q;
            end
        end
        if (NB == 1) begin : g_one_bank
            always @(posedge clk) begin
                sel1 <= 1'b0;
                sel2 <= sel1;
            end
        end else begin : g_banks
            always @(posedge clk) begin
                if (adv) sel1 <= raddr[AW-1:LW];
                if (adv2) sel2 <= sel1;
            end
        end
    endgenerate

    reg pad1;
    reg last1;
    reg pad2;
    reg last2;

    always @(posedge clk) begin
        if (adv) begin
            pad1  <= pad;
            last1 <= last_all;
        end
        if (adv2) begin
            pad2  <= pad1;
            last2 <= last1;
        end
        if (rst) begin
            wx <= 0; wcf <= 0; waddr <= 0; free <= CW'(NROWS); wr_room <= 1'b1; avail <= 0;
            wcf_last <= (CF == 1); wx_last <= (W == 1);
            oys <= 0; oxs <= 0; oy <= 0; ox <= 0; ky <= 0; kx <= 0; rcf <= 0;
            iy <= 0; ix <= 0;
            brow <= AW'(BROW0); rowb <= AW'(BROW0); oxb <= AW'(OXB0); colr <= AW'(OXB0);
            lo2 <= CW'(LO2_0); nd <= CW'(ND_0); rel <= CW'(REL_0); ndn <= CW'(ND_NX0);
            v1 <= 1'b0; v2 <= 1'b0; rows_ready <= 1'b0;
            last_cf <= (CF == 1); last_kx <= (K == 1); last_ky <= (K == 1);
            last_ox <= (OW == 1); last_oy <= (OH == 1);
        end else begin
            rows_ready <= !row_end ? (avail >= nd)
                        : last_oy ? ge(avail, H + ND_0)   // avail - H >= ND_0 next frame
                        : (avail >= ndn);
            if (adv) v1 <= issue;
            if (adv2) v2 <= v1;
            free  <= row_end ? (row_done ? free_rel_m1 : free_rel) : (row_done ? free_m1 : free);
            // free's next value != 0: (row_end ? free + rel : free) != row_done
            wr_room <= row_done ? !(row_end ? free_rel_1 : free_1)
                                : !(row_end ? free_rel_0 : free_0);
            avail <= (row_end && last_oy) ? (row_done ? avail_h_p1 : avail_h)
                                          : (row_done ? avail_p1 : avail);
            // writer: rows in ring order, frame after frame
            if (wr_en) begin
                waddr <= (waddr == AW'(DEPTH - 1)) ? {AW{1'b0}} : waddr + 1'b1;
                wcf_last <= (CF == 1) || (!wcf_last && wcf == CW'(CF - 2));
                if (wcf_last) begin
                    wcf <= 0;
                    wx_last <= (W == 1) || (!wx_last && wx == CW'(W - 2));
                    if (wx_last) begin
                        wx <= 0;
                    end else begin
                        wx <= wx + 1'b1;
                    end
                end else begin
                    wcf <= wcf + 1'b1;
                end
            end
            // reader: (oy, ox, ky, kx, rcf) in raddr order
            if (issue) begin
                // each flag from 0 (wrap) or from count + 1
                last_cf <= (CF == 1) || (!last_cf && rcf == CW'(CF - 2));
                if (last_cf) begin
                    last_kx <= (K == 1) || (!last_kx && kx == CW'(K - 2));
                    if (last_kx) begin
                        last_ky <= (K == 1) || (!last_ky && ky == CW'(K - 2));
                        if (last_ky) begin
                            last_ox <= (OW == 1) || (!last_ox && ox == CW'(OW - 2));
                            if (last_ox) last_oy <= (OH == 1) || (!last_oy && nx_last);
                        end
                    end
                end
                rcf  <= last_cf ? 0 : rcf + 1'b1;
                colr <= colr + 1'b1;   // the next channel fold or column
                if (last_cf) begin
                    kx <= last_kx ? 0 : kx + 1'b1;
                    ix <= ix + 1'b1;
                    if (last_kx) begin
                        ky   <= last_ky ? 0 : ky + 1'b1;
                        iy   <= iy + 1'b1;
                        rowb <= step_mod(rowb, RW);
                        ix   <= oxs;
                        colr <= oxb;
                        if (last_ky) begin
                            ox   <= last_ox ? 0 : ox + 1'b1;
                            oxs  <= last_ox ? 0 : oxs + CW'(S);
                            oxb  <= last_ox ? AW'(OXB0) : oxb + AW'(S * CF);
                            ix   <= last_ox ? 0 : oxs + CW'(S);
                            colr <= last_ox ? AW'(OXB0) : oxb + AW'(S * CF);
                            iy   <= oys;
                            rowb <= brow;
                            if (last_ox) begin
                                oy   <= last_oy ? 0 : oy + 1'b1;
                                oys  <= last_oy ? 0 : oys + CW'(S);
                                iy   <= last_oy ? 0 : oys + CW'(S);
                                brow <= brow_nx;
                                rowb <= brow_nx;
                                lo2  <= last_oy ? CW'(LO2_0) : lo3;
                                nd   <= last_oy ? CW'(ND_0) : ndn;
                                ndn  <= last_oy ? CW'(ND_NX0) : ndn_step;
                                rel  <= last_oy ? CW'(REL_0) : rl_nx;
                            end
                        end
                    end
                end
            end
        end
    end

    wire [BW-1:0] out_data = pad2 ? {BW{1'b0}} : d2[sel2*BW +: BW];
    wire [BW:0]   m_payload;

    axis_register #(
        .DATA_W(BW + 1)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata ({pad2, out_data}),
        .s_axis_tlast (last2),
        .s_axis_tvalid(v2),
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
