// requant: lane-wise requantizer, accumulator -> activation.
//
// Per lane: optional ReLU, then x * 2^-SHIFT rounded half to even (SHIFT > 0)
// or an exact left shift by -SHIFT (SHIFT <= 0), then saturation to the
// OUT_W-bit signed/unsigned (optionally narrow) range.  Matches
// sim/golden/ops.py requantize(acc, SHIFT, OUT_W, OUT_SIGNED, NARROW,
// "ROUND", RELU).
//
// Packing: input lane i at s_axis_tdata[i*IN_W +: IN_W], output lane i at
// m_axis_tdata[i*OUT_W +: OUT_W]; tlast passes through.  Zero lanes stay zero,
// so the zero padding lanes of a folded stream are preserved.
// Cycles: latency 3 cycles (the rounded value registered before the
// saturation, then the output FIFO's write and read), 1 beat/cycle.
// Handshake: s_axis_tready is a flop, and the rounded value's register q1
// loads every cycle (no enable, so no ready fans out to its LANES x XW
// flops).  A taken beat always finds room in the output FIFO (hw/axis_fifo,
// OUT_DEPTH entries of LUT RAM): ready for the next cycle needs at most
// OUT_DEPTH - 3 beats in the FIFO now (at most two more arrive before a beat
// taken next cycle is written: the one in q1 and this cycle's), counting no
// pop, so the downstream ready reaches only the FIFO's read side and the
// count.  In steady state the FIFO holds 2 beats, so it never stalls a
// stream that moves a beat a cycle.
// Reset: synchronous, active high; q1's flag, the count and the FIFO are emptied.
`default_nettype none

module requant #(
    parameter integer LANES      = 1,   // lanes per beat (>= 1)
    parameter integer IN_W       = 24,  // input lane width in bits (>= 2)
    parameter integer IN_SIGNED  = 1,   // 1: input lanes are two's complement
    parameter integer OUT_W      = 8,   // output lane width in bits (>= 2)
    parameter integer OUT_SIGNED = 0,   // 1: signed output range, 0: unsigned
    parameter integer NARROW     = 0,   // 1: narrow range (signed min +1, unsigned max -1)
    parameter integer SHIFT      = 8,   // >0: divide by 2^SHIFT (half to even); <=0: left shift
    parameter integer RELU       = 1    // 1: clamp negative inputs to zero first
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire [LANES*IN_W-1:0]  s_axis_tdata,
    input  wire                   s_axis_tlast,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    output wire [LANES*OUT_W-1:0] m_axis_tdata,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam integer OUT_DEPTH = 8;                           // output FIFO entries
    localparam integer CW  = $clog2(OUT_DEPTH + 2);             // the count's width
    localparam integer LSH = (SHIFT < 0) ? -SHIFT : 0;          // left shift amount
    localparam integer XW0 = IN_W + 1 + LSH;                    // signed working width
    localparam integer XW  = (XW0 > OUT_W + 2) ? XW0 : OUT_W + 2;

    generate
        if (LANES < 1 || IN_W < 2 || OUT_W < 2) begin : g_bad_width
            $fatal(1, "requant: need LANES >= 1, IN_W >= 2, OUT_W >= 2");
        end
        if (SHIFT >= IN_W + 2 || SHIFT < -32) begin : g_bad_shift
            $fatal(1, "requant: SHIFT must lie in [-32, IN_W + 1]");
        end
        if (IN_SIGNED > 1 || OUT_SIGNED > 1 || NARROW > 1 || RELU > 1 ||
            IN_SIGNED < 0 || OUT_SIGNED < 0 || NARROW < 0 || RELU < 0) begin : g_bad_flag
            $fatal(1, "requant: IN_SIGNED, OUT_SIGNED, NARROW, RELU must be 0 or 1");
        end
    endgenerate

    // Saturation bounds in the XW-bit signed working width.
    localparam [XW-1:0] HI_S = {{(XW - OUT_W + 1) {1'b0}}, {(OUT_W - 1) {1'b1}}};
    localparam [XW-1:0] HI_U = {{(XW - OUT_W) {1'b0}}, {(OUT_W - 1) {1'b1}}, NARROW == 0};
    localparam [XW-1:0] LO_S = {{(XW - OUT_W + 1) {1'b1}}, {(OUT_W - 2) {1'b0}}, NARROW != 0};
    localparam signed [XW-1:0] HI = (OUT_SIGNED != 0) ? HI_S : HI_U;
    localparam signed [XW-1:0] LO = (OUT_SIGNED != 0) ? LO_S : {XW{1'b0}};

    wire [LANES*OUT_W-1:0] q_data;
    // stage 1 (ReLU, rounding) -> register q1 -> stage 2 (saturation) -> u_out
    wire [LANES*XW-1:0]    q_all;
    reg  [LANES*XW-1:0]    q1;
    reg                    v1;
    reg                    l1;
    reg                    rdy;     // s_axis_tready
    reg  [CW-1:0]          cnt;     // beats in u_out
    wire                   take = s_axis_tvalid && rdy;
    wire                   pop  = m_axis_tvalid && m_axis_tready;
    assign s_axis_tready = rdy;
    always @(posedge clk) begin
        q1 <= q_all;
        l1 <= s_axis_tlast;
        if (rst) begin
            v1  <= 1'b0;
            rdy <= 1'b0;
            cnt <= {CW{1'b0}};
        end else begin
            v1  <= take;
            rdy <= (cnt <= CW'(OUT_DEPTH - 3));
            cnt <= cnt + CW'(v1) - CW'(pop);
        end
    end

    // Comparisons may be constant for some parameter sets (e.g. SHIFT == 1).
    /* verilator lint_off CMPCONST */
    genvar i;
    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_lane
            wire [IN_W-1:0]     x_raw = s_axis_tdata[i*IN_W +: IN_W];
            wire                x_neg = (IN_SIGNED != 0) && x_raw[IN_W-1];
            wire signed [XW-1:0] x = {{(XW - IN_W) {x_neg}}, x_raw};
            wire signed [XW-1:0] r = (RELU != 0 && x_neg) ? {XW{1'b0}} : x;
            wire signed [XW-1:0] q;
            if (SHIFT > 0) begin : g_round
                // half to even in one addition (one carry chain, the ReLU in its
                // LUTs): floor((r + 2^(SHIFT-1) - 1 + fl[0]) / 2^SHIFT), fl[0] = bit
                // SHIFT of r; the addend is 2^(SHIFT-1) when fl[0], else
                // 2^(SHIFT-1) - 1 (fire_e1heavy: the compare of the fraction
                // then the increment, 8.24 ns)
                wire signed [XW:0] rx = {r[XW-1], r};
                wire               f0 = rx[SHIFT];
                wire        [XW:0] addend;
                if (SHIFT == 1) begin : g_s1
                    assign addend = {{XW{1'b0}}, f0};
                end else begin : g_sn
                    assign addend = {{(XW + 1 - SHIFT) {1'b0}}, f0, {(SHIFT - 1) {!f0}}};
                end
                wire signed [XW:0] sum = rx + $signed(addend);
                /* verilator lint_off UNUSEDSIGNAL */
                wire signed [XW:0] sh  = sum >>> SHIFT;
                /* verilator lint_on UNUSEDSIGNAL */
                assign q = sh[XW-1:0];
            end else begin : g_lshift
                assign q = r <<< LSH;
            end
            assign q_all[i*XW +: XW] = q;
            // stage 2: saturation of the registered rounded value
            wire signed [XW-1:0] q2 = q1[i*XW +: XW];
            /* verilator lint_off UNUSEDSIGNAL */
            wire signed [XW-1:0] s = (q2 > HI) ? HI : (q2 < LO) ? LO : q2;
            /* verilator lint_on UNUSEDSIGNAL */
            assign q_data[i*OUT_W +: OUT_W] = s[OUT_W-1:0];
        end
    endgenerate
    /* verilator lint_on CMPCONST */

    // never full when v1 (see the header), so s_axis_tready is not read
    /* verilator lint_off PINCONNECTEMPTY */
    axis_fifo #(
        .DATA_W   (LANES * OUT_W),
        .DEPTH    (OUT_DEPTH),
        .RAM_STYLE(2),
        .OUT_REG  (0)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (q_data),
        .s_axis_tlast (l1),
        .s_axis_tvalid(v1),
        .s_axis_tready(),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
    /* verilator lint_on PINCONNECTEMPTY */
endmodule

`default_nettype wire
