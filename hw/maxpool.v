// maxpool: K x K max-pool with stride, padding and ceil mode (ONNX/torch).
//
// Input: one H x W image per frame, channels-last, C channels folded over
// CF = ceil(C/LANES) beats of LANES lanes of DATA_W bits.  Output: the
// OH x OW pooled image in the same packing; m_axis_tlast on the last beat of
// the frame, s_axis_tlast ignored.  Padding never wins (it is skipped, not
// compared as zero), matching sim/golden/ops.py maxpool2d.
//
// OH = floor or ceil((H + PAD_T + PAD_B - K) / S) + 1, minus one in ceil mode
// when the last window would start past the image and top padding (torch
// rule); OW likewise.  The ceil-mode windows become extra bottom/right
// padding of the internal window_gen.
//
// Structure: window_gen (line buffer) -> padding replaced by the lowest
// value -> input register slice (so the compare starts at flops) -> running
// max over the K*K window positions in a CF-entry accumulator -> the pooled
// beat's register -> output register slice.
// Cycles: K*K*CF window beats per output pixel at 1 beat/cycle (the output
// beats of a pixel leave during its last window position); window_gen's
// fill latency before the first pixel (see window_gen.v), + 1 (input slice)
// + 1 (the pooled beat's register).
// Reset: synchronous, active high; back to an empty line buffer.
`default_nettype none

module maxpool #(
    parameter integer H         = 8,  // input height
    parameter integer W         = 8,  // input width
    parameter integer C         = 4,  // channels
    parameter integer LANES     = 4,  // channels per beat
    parameter integer DATA_W    = 8,  // lane width in bits
    parameter integer SIGNED    = 0,  // 1: lanes are two's complement
    parameter integer K         = 2,  // kernel height and width
    parameter integer S         = 2,  // stride
    parameter integer PAD_T     = 0,  // padding rows above (< K)
    parameter integer PAD_L     = 0,  // padding columns left (< K)
    parameter integer PAD_B     = 0,  // padding rows below (< K)
    parameter integer PAD_R     = 0,  // padding columns right (< K)
    parameter integer CEIL_MODE = 0,  // 1: ceil output size (partial windows)
    parameter integer RAM_STYLE = 0,  // line buffer: 0 auto, 1 block RAM, 2 LUT RAM
    parameter integer BANK_DEPTH = 0  // line-RAM bank depth (window_gen.v; 0: a block RAM's)
) (
    input  wire                    clk,
    input  wire                    rst,
    input  wire [LANES*DATA_W-1:0] s_axis_tdata,
    input  wire                    s_axis_tlast,
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    output wire [LANES*DATA_W-1:0] m_axis_tdata,
    output wire                    m_axis_tlast,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready
);
    localparam integer CF    = (C + LANES - 1) / LANES;
    localparam integer BW    = LANES * DATA_W;
    localparam integer SPH   = H + PAD_T + PAD_B - K;
    localparam integer SPW   = W + PAD_L + PAD_R - K;
    localparam integer OH0   = ((CEIL_MODE != 0) ? (SPH + S - 1) / S : SPH / S) + 1;
    localparam integer OW0   = ((CEIL_MODE != 0) ? (SPW + S - 1) / S : SPW / S) + 1;
    localparam integer OH    = (CEIL_MODE != 0 && (OH0 - 1) * S >= H + PAD_T) ? OH0 - 1 : OH0;
    localparam integer OW    = (CEIL_MODE != 0 && (OW0 - 1) * S >= W + PAD_L) ? OW0 - 1 : OW0;
    localparam integer PB_E  = (OH - 1) * S + K - H - PAD_T;  // padding the windows reach
    localparam integer PR_E  = (OW - 1) * S + K - W - PAD_L;
    localparam integer PB_W  = (PB_E > 0) ? PB_E : 0;
    localparam integer PR_W  = (PR_E > 0) ? PR_E : 0;
    localparam integer KK    = K * K;
    localparam integer KAW   = (KK > 1) ? $clog2(KK) : 1;
    localparam integer CAW   = (CF > 1) ? $clog2(CF) : 1;

    generate
        if (SIGNED < 0 || SIGNED > 1 || CEIL_MODE < 0 || CEIL_MODE > 1) begin : g_bad_flag
            $fatal(1, "maxpool: SIGNED and CEIL_MODE must be 0 or 1");
        end
        if (SPH < 0 || SPW < 0) begin : g_bad_k
            $fatal(1, "maxpool: kernel larger than the padded image");
        end
    endgenerate

    wire [BW-1:0] w_data;
    wire          w_pad;
    wire          w_last;
    wire          w_valid;
    wire          w_ready;

    window_gen #(
        .H(H), .W(W), .C(C), .LANES(LANES), .DATA_W(DATA_W), .K(K), .S(S),
        .PAD_T(PAD_T), .PAD_L(PAD_L), .PAD_B(PB_W), .PAD_R(PR_W), .RAM_STYLE(RAM_STYLE),
        .BANK_DEPTH(BANK_DEPTH)
    ) u_win (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (s_axis_tdata),
        .s_axis_tlast (s_axis_tlast),
        .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(s_axis_tready),
        .m_axis_tdata (w_data),
        .m_axis_tuser (w_pad),
        .m_axis_tlast (w_last),
        .m_axis_tvalid(w_valid),
        .m_axis_tready(w_ready)
    );

    // the window's beats with padding replaced by the lowest value (padding
    // never wins), then a register slice
    wire [BW-1:0] e_all;
    wire [BW-1:0] low_all;   // the lowest value in every lane
    wire [BW-1:0] x_data;
    wire          x_last;
    wire          x_valid;
    wire          x_ready;
    genvar i;
    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_pad
            wire [DATA_W-1:0] lowest = (SIGNED != 0) ? {1'b1, {(DATA_W - 1) {1'b0}}} : {DATA_W{1'b0}};
            assign e_all[i*DATA_W +: DATA_W] = w_pad ? lowest : w_data[i*DATA_W +: DATA_W];
            assign low_all[i*DATA_W +: DATA_W] = lowest;
        end
    endgenerate
    axis_register #(
        .DATA_W(BW)
    ) u_in (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (e_all),
        .s_axis_tlast (w_last),
        .s_axis_tvalid(w_valid),
        .s_axis_tready(w_ready),
        .m_axis_tdata (x_data),
        .m_axis_tlast (x_last),
        .m_axis_tvalid(x_valid),
        .m_axis_tready(x_ready)
    );

    reg  [KAW-1:0] kk;
    reg  [CAW-1:0] cf;
    reg  [BW-1:0]  amax[0:CF-1];
    reg  [BW-1:0]  prev;      // amax[cf], read one beat ahead (no RAM read before the max);
                              // the lowest value for a window's first position, so the
                              // max needs no first-position select: that select after
                              // the compare, fanned out to the lanes' multiplexers, was
                              // 8.79 ns into the running-max LUT RAM (fire_w3 at 51b0840)
    wire           first_kk = (kk == {KAW{1'b0}});
    wire           last_kk  = (kk == KAW'(KK - 1));
    wire           last_cf  = (cf == CAW'(CF - 1));
    wire           out_ready;
    wire           take = x_valid && x_ready;
    // the next beat's entry, kept as a register equal to (cf + 1) mod CF, so the
    // running maximum's read address comes from a flop (no carry chain before
    // the LUT RAM read)
    reg  [CAW-1:0] cf_nx;
    // the pooled beat's register between the running maximum and the output
    // slice: the compare and the max multiplexer end at a plain register, not
    // in the slice's input multiplexer (fire_w3: x_data -> compare carry chain
    // -> max mux -> slice mux -> slice, 9.16 ns)
    reg  [BW-1:0]  mq;
    reg            mq_last;
    reg            mv;
    wire           adv_o = !mv || out_ready;   // both flops
    assign x_ready = !last_kk || adv_o;

    // the window position after this beat's is the first: the entry read ahead
    // for it starts at the lowest value
    wire          nxt_first = last_cf ? last_kk : first_kk;
    wire          prev_low  = rst || (take && nxt_first);
    wire [BW-1:0] m_val;
    // signed values compared as unsigned with the sign bit inverted: one carry
    // chain, whose carry out is the compare (the signed >= took two chains)
    localparam [DATA_W-1:0] FLIP = DATA_W'((SIGNED != 0) ? 1 : 0) << (DATA_W - 1);
    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_lane
            wire [DATA_W-1:0] e = x_data[i*DATA_W +: DATA_W];
            wire [DATA_W-1:0] a = prev[i*DATA_W +: DATA_W];
            wire a_ge = (a ^ FLIP) >= (e ^ FLIP);
            assign m_val[i*DATA_W +: DATA_W] = a_ge ? a : e;
        end
    endgenerate

    always @(posedge clk) begin
        if (adv_o) begin   // a don't-care unless a last beat is taken (mv)
            mq      <= m_val;
            mq_last <= x_last;
        end
        if (rst) mv <= 1'b0;
        else if (adv_o) mv <= x_valid && last_kk;
    end

    always @(posedge clk) begin
        if (take && !last_kk) amax[cf] <= m_val;
        // the next beat's entry: the one just written when CF = 1, else one
        // written CF >= 2 beats ago
        // written as a synchronous reset over the enable, so synthesis keeps
        // `prev` as the memory's read register (a select in front of it is not
        // read-port logic to yosys' memory_dff, which then leaves the array in
        // flip-flops)
        if (prev_low) prev <= low_all;
        else if (take) prev <= (CF == 1) ? m_val : amax[cf_nx];
        if (rst) begin
            kk <= 0;
            cf <= 0;
            cf_nx <= CAW'((CF == 1) ? 0 : 1);
        end else if (take) begin
            cf <= cf_nx;
            cf_nx <= (cf_nx == CAW'(CF - 1)) ? {CAW{1'b0}} : cf_nx + 1'b1;
            if (last_cf) kk <= last_kk ? {KAW{1'b0}} : kk + 1'b1;
        end
    end

    axis_register #(
        .DATA_W(BW)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (mq),
        .s_axis_tlast (mq_last),
        .s_axis_tvalid(mv),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
