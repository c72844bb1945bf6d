// axis_frame_refold: re-folds a frame of PIX pixels x C channels between lane
// counts, each side folded per pixel or over the whole frame.
//
// A side folded per pixel (FRAME = 0) is the hw/ stream convention: each
// pixel's C channels in ceil(C/LANES) beats, lanes past C in a pixel's last
// beat are padding (zero on output, dropped on input).  A side folded over
// the frame (FRAME = 1) carries the N = PIX*C values back to back in
// channels-last order, LANES a beat; only the frame's last beat has padding
// lanes.  A DMA's word stream is frame-folded, the network's streams are
// pixel-folded (axis_dma_rx / axis_dma_tx).  Lane i of a beat at tdata[i*LANE_W
// +: LANE_W].  tlast is set on the frame's last input beat by counting (the
// input tlast is not read) and leaves on the frame's last output beat.
//
// Structure: an axis_lane_conv over the whole frame (C = N values); before it
// a per-pixel axis_lane_conv IN_LANES -> C when the input is pixel-folded with
// padding (PIX > 1, C not a multiple of IN_LANES), after it one C -> OUT_LANES
// when the output is.
// Cycles: max(input beats, output beats) per frame in steady state; latency
// 2-6 cycles.  No multiplier.
// Reset: synchronous, active high; the frame restarts empty.
`default_nettype none

module axis_frame_refold #(
    parameter integer LANE_W    = 8,  // bits per lane
    parameter integer C         = 3,  // channels per pixel
    parameter integer PIX       = 4,  // pixels per frame
    parameter integer IN_LANES  = 1,  // input lanes per beat (<= C when IN_FRAME = 0, else <= PIX*C)
    parameter integer IN_FRAME  = 1,  // 1: the input is folded over the frame, 0: per pixel
    parameter integer OUT_LANES = 3,  // output lanes per beat (<= C when OUT_FRAME = 0, else <= PIX*C)
    parameter integer OUT_FRAME = 0   // 1: the output is folded over the frame, 0: per pixel
) (
    input  wire                        clk,
    input  wire                        rst,
    input  wire [IN_LANES*LANE_W-1:0]  s_axis_tdata,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                        s_axis_tlast,   // not read: frames are counted
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,
    output wire [OUT_LANES*LANE_W-1:0] m_axis_tdata,
    output wire                        m_axis_tlast,
    output wire                        m_axis_tvalid,
    input  wire                        m_axis_tready
);
    localparam integer N     = PIX * C;
    localparam integer BEATS = (IN_FRAME != 0) ? (N + IN_LANES - 1) / IN_LANES
                                               : PIX * ((C + IN_LANES - 1) / IN_LANES);
    localparam integer BW    = $clog2(BEATS + 1);
    localparam integer PRE   = (IN_FRAME == 0 && PIX > 1 && C % IN_LANES != 0) ? 1 : 0;
    localparam integer POST  = (OUT_FRAME == 0 && PIX > 1 && C % OUT_LANES != 0) ? 1 : 0;
    localparam integer LA    = (PRE != 0) ? C : IN_LANES;    // lanes into the frame re-fold
    localparam integer LB    = (POST != 0) ? C : OUT_LANES;  // lanes out of it

    generate
        if (LANE_W < 1 || C < 1 || PIX < 1 || IN_LANES < 1 || OUT_LANES < 1) begin : g_bad_size
            $fatal(1, "axis_frame_refold: LANE_W, C, PIX, IN_LANES, OUT_LANES must be >= 1");
        end
        if (IN_FRAME < 0 || IN_FRAME > 1 || OUT_FRAME < 0 || OUT_FRAME > 1) begin : g_bad_flag
            $fatal(1, "axis_frame_refold: IN_FRAME and OUT_FRAME must be 0 or 1");
        end
        if (IN_LANES > ((IN_FRAME != 0) ? N : C) || OUT_LANES > ((OUT_FRAME != 0) ? N : C)) begin : g_bad_lanes
            $fatal(1, "axis_frame_refold: more lanes than values in a pixel (frame when folded over it)");
        end
    endgenerate

    reg [BW-1:0] beat;   // input beats of this frame so far
    wire         in_last = (beat == BW'(BEATS - 1));
    always @(posedge clk) begin
        if (rst) beat <= 0;
        else if (s_axis_tvalid && s_axis_tready) beat <= in_last ? {BW{1'b0}} : beat + 1'b1;
    end

    wire [LA*LANE_W-1:0] a_tdata;
    wire                 a_tlast, a_tvalid, a_tready;
    wire [LB*LANE_W-1:0] b_tdata;
    wire                 b_tlast, b_tvalid, b_tready;
    generate
        if (PRE != 0) begin : g_pre
            axis_lane_conv #(
                .LANE_W(LANE_W), .C(C), .IN_LANES(IN_LANES), .OUT_LANES(C)
            ) u_pre (
                .clk(clk), .rst(rst),
                .s_axis_tdata(s_axis_tdata), .s_axis_tlast(in_last),
                .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
                .m_axis_tdata(a_tdata), .m_axis_tlast(a_tlast),
                .m_axis_tvalid(a_tvalid), .m_axis_tready(a_tready)
            );
        end else begin : g_no_pre
            assign a_tdata       = s_axis_tdata;
            assign a_tlast       = in_last;
            assign a_tvalid      = s_axis_tvalid;
            assign s_axis_tready = a_tready;
        end
    endgenerate

    axis_lane_conv #(
        .LANE_W(LANE_W), .C(N), .IN_LANES(LA), .OUT_LANES(LB)
    ) u_frame (
        .clk(clk), .rst(rst),
        .s_axis_tdata(a_tdata), .s_axis_tlast(a_tlast),
        .s_axis_tvalid(a_tvalid), .s_axis_tready(a_tready),
        .m_axis_tdata(b_tdata), .m_axis_tlast(b_tlast),
        .m_axis_tvalid(b_tvalid), .m_axis_tready(b_tready)
    );

    generate
        if (POST != 0) begin : g_post
            axis_lane_conv #(
                .LANE_W(LANE_W), .C(C), .IN_LANES(C), .OUT_LANES(OUT_LANES)
            ) u_post (
                .clk(clk), .rst(rst),
                .s_axis_tdata(b_tdata), .s_axis_tlast(b_tlast),
                .s_axis_tvalid(b_tvalid), .s_axis_tready(b_tready),
                .m_axis_tdata(m_axis_tdata), .m_axis_tlast(m_axis_tlast),
                .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
            );
        end else begin : g_no_post
            assign m_axis_tdata  = b_tdata;
            assign m_axis_tlast  = b_tlast;
            assign m_axis_tvalid = b_tvalid;
            assign b_tready      = m_axis_tready;
        end
    endgenerate
endmodule

`default_nettype wire
