// axis_concat: channel concatenation of two streams with scale alignment.
//
// Output pixel = [A channels << SHIFT_A, B channels << SHIFT_B]: the inputs
// are brought to the finer (smaller) exponent by exact left shifts
// (SHIFT_X = x_exp - min(a_exp, b_exp)), as sim/golden/ops.py concat.
// Packing: both inputs and the output use LANES lanes per beat; A has CA
// channels (CA a multiple of LANES, so no padding lanes in the middle of the
// output pixel) in CA/LANES beats, B has CB channels in ceil(CB/LANES) beats.
// Output per pixel: the A beats, then the B beats; lanes widen from IN_W to
// OUT_W bits (sign- or zero-extended).  m_axis_tlast = B's tlast (end of
// frame); A's tlast is ignored.
// Cycles: 1 output beat/cycle, CA/LANES + ceil(CB/LANES) cycles per pixel
// (each input waits while the other one's beats of the pixel go out; give
// the branches FIFOs for the skew).  Latency 1 cycle.
// Reset: synchronous, active high; back to the first A beat of a pixel.
`default_nettype none

module axis_concat #(
    parameter integer LANES   = 4,  // lanes per beat (all ports)
    parameter integer IN_W    = 8,  // input lane width
    parameter integer OUT_W   = 9,  // output lane width (>= IN_W + max shift)
    parameter integer SIGNED  = 0,  // 1: lanes are two's complement
    parameter integer CA      = 4,  // channels of A (multiple of LANES)
    parameter integer CB      = 4,  // channels of B
    parameter integer SHIFT_A = 0,  // left shift aligning A to the output exponent
    parameter integer SHIFT_B = 1   // left shift aligning B to the output exponent
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire [LANES*IN_W-1:0]  s_axis_a_tdata,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                   s_axis_a_tlast,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                   s_axis_a_tvalid,
    output wire                   s_axis_a_tready,
    input  wire [LANES*IN_W-1:0]  s_axis_b_tdata,
    input  wire                   s_axis_b_tlast,
    input  wire                   s_axis_b_tvalid,
    output wire                   s_axis_b_tready,
    output wire [LANES*OUT_W-1:0] m_axis_tdata,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam integer CFA = CA / LANES;
    localparam integer CFB = (CB + LANES - 1) / LANES;
    localparam integer CFM = (CFA > CFB) ? CFA : CFB;
    localparam integer FAW = (CFM > 1) ? $clog2(CFM) : 1;

    generate
        if (LANES < 1 || IN_W < 1 || CA < 1 || CB < 1) begin : g_bad_size
            $fatal(1, "axis_concat: LANES, IN_W, CA, CB must be >= 1");
        end
        if (CA % LANES != 0) begin : g_bad_ca
            $fatal(1, "axis_concat: CA must be a multiple of LANES");
        end
        if (SHIFT_A < 0 || SHIFT_B < 0 || OUT_W < IN_W + SHIFT_A || OUT_W < IN_W + SHIFT_B) begin : g_bad_shift
            $fatal(1, "axis_concat: need SHIFT_A, SHIFT_B >= 0 and OUT_W >= IN_W + shift");
        end
        if (SIGNED < 0 || SIGNED > 1) begin : g_bad_flag
            $fatal(1, "axis_concat: SIGNED must be 0 or 1");
        end
    endgenerate

    reg            sel_b;   // 0: sending A's beats of the pixel, 1: B's
    reg  [FAW-1:0] cnt;
    wire           out_ready;
    wire           in_valid = sel_b ? s_axis_b_tvalid : s_axis_a_tvalid;
    wire           take     = in_valid && out_ready;
    wire           last_a   = (cnt == FAW'(CFA - 1));
    wire           last_b   = (cnt == FAW'(CFB - 1));

    assign s_axis_a_tready = !sel_b && out_ready;
    assign s_axis_b_tready = sel_b && out_ready;

    wire [LANES*OUT_W-1:0] data;
    genvar i;
    generate
        for (i = 0; i < LANES; i = i + 1) begin : g_lane
            wire [IN_W-1:0]  a = s_axis_a_tdata[i*IN_W +: IN_W];
            wire [IN_W-1:0]  b = s_axis_b_tdata[i*IN_W +: IN_W];
            wire [OUT_W-1:0] ae = {{(OUT_W - IN_W) {(SIGNED != 0) && a[IN_W-1]}}, a};
            wire [OUT_W-1:0] be = {{(OUT_W - IN_W) {(SIGNED != 0) && b[IN_W-1]}}, b};
            assign data[i*OUT_W +: OUT_W] = sel_b ? (be << SHIFT_B) : (ae << SHIFT_A);
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            sel_b <= 1'b0;
            cnt   <= 0;
        end else if (take) begin
            if (!sel_b) begin
                cnt   <= last_a ? {FAW{1'b0}} : cnt + 1'b1;
                sel_b <= last_a;
            end else begin
                cnt   <= last_b ? {FAW{1'b0}} : cnt + 1'b1;
                sel_b <= !last_b;
            end
        end
    end

    axis_register #(
        .DATA_W(LANES * OUT_W)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (data),
        .s_axis_tlast (sel_b && s_axis_b_tlast),
        .s_axis_tvalid(in_valid),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
