// axis_add: elementwise sum of two streams with scale alignment.
//
// Output lane = (a << SHIFT_A) + (b << SHIFT_B), exact: the inputs are
// brought to the finer exponent by left shifts (SHIFT_X = x_exp -
// min(a_exp, b_exp)), as sim/golden/ops.py add, and OUT_W must hold the sum.
// Packing: A, B and the output share the channels-last folding (same
// channels, LANES lanes per beat); zero padding lanes stay zero.
// m_axis_tlast = A's tlast; B's tlast is ignored.
// Cycles: 1 beat/cycle when both inputs have data (a beat is taken from both
// at once); latency 1 cycle.
// Reset: synchronous, active high; output register emptied.
`default_nettype none

module axis_add #(
    parameter integer LANES   = 4,   // lanes per beat
    parameter integer IN_W    = 8,   // input lane width (both inputs)
    parameter integer OUT_W   = 10,  // output lane width (> IN_W + max shift)
    parameter integer SIGNED  = 1,   // 1: lanes are two's complement
    parameter integer SHIFT_A = 0,   // left shift aligning A
    parameter integer SHIFT_B = 1    // left shift aligning B
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire [LANES*IN_W-1:0]  s_axis_a_tdata,
    input  wire                   s_axis_a_tlast,
    input  wire                   s_axis_a_tvalid,
    output wire                   s_axis_a_tready,
    input  wire [LANES*IN_W-1:0]  s_axis_b_tdata,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                   s_axis_b_tlast,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                   s_axis_b_tvalid,
    output wire                   s_axis_b_tready,
    output wire [LANES*OUT_W-1:0] m_axis_tdata,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    generate
        if (LANES < 1 || IN_W < 1) begin : g_bad_size
            $fatal(1, "axis_add: LANES and IN_W must be >= 1");
        end
        if (SHIFT_A < 0 || SHIFT_B < 0 || OUT_W <= IN_W + SHIFT_A || OUT_W <= IN_W + SHIFT_B) begin : g_bad_shift
            $fatal(1, "axis_add: need SHIFT_A, SHIFT_B >= 0 and OUT_W > IN_W + shift");
        end
        if (SIGNED < 0 || SIGNED > 1) begin : g_bad_flag
            $fatal(1, "axis_add: SIGNED must be 0 or 1");
        end
    endgenerate

    wire out_ready;
    wire both = s_axis_a_tvalid && s_axis_b_tvalid;
    assign s_axis_a_tready = s_axis_b_tvalid && out_ready;
    assign s_axis_b_tready = s_axis_a_tvalid && out_ready;

    wire [LANES*OUT_W-1:0] sum;
    genvar i;
    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_lane
            wire [IN_W-1:0]  a = s_axis_a_tdata[i*IN_W +: IN_W];
            wire [IN_W-1:0]  b = s_axis_b_tdata[i*IN_W +: IN_W];
            wire [OUT_W-1:0] ae = {{(OUT_W - IN_W) {(SIGNED != 0) && a[IN_W-1]}}, a};
            wire [OUT_W-1:0] be = {{(OUT_W - IN_W) {(SIGNED != 0) && b[IN_W-1]}}, b};
            assign sum[i*OUT_W +: OUT_W] = (ae << SHIFT_A) + (be << SHIFT_B);
        end
    endgenerate

    axis_register #(
        .DATA_W(LANES * OUT_W)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (sum),
        .s_axis_tlast (s_axis_a_tlast),
        .s_axis_tvalid(both),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
