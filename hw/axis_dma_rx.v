// axis_dma_rx: an AXI DMA's MM2S byte-lane stream -> the network's input stream.
//
// Input (the DMA reading the PYNQ driver's buffer, driver/squeezefpga_driver.py
// pack()): one frame of N = PIX*C values, one WORD_W-bit little-endian word
// per value in channels-last order (pixel-major), the value's code in the
// word's low VAL_W bits (the rest is not read).  A beat carries NW =
// DMA_W/WORD_W words, word j at tdata[j*WORD_W +: WORD_W] (memory order);
// the frame's last beat may hold fewer (ceil(N/NW)*NW - N surplus words,
// TKEEP low on the DMA side), they are dropped.  Frames are counted: the
// module has no TKEEP/TLAST inputs, one DMA transfer must carry one frame.
// Output: PIX pixels in raster order, each pixel's C channels in ceil(C/LANES)
// beats of LANES lanes of VAL_W bits (channel f*LANES+i at tdata[i*VAL_W +:
// VAL_W] of fold f, lanes past C zero), tlast on the frame's last beat.
//
// Structure: the words' low bits as NW lanes into axis_frame_refold (frame
// folded in, NW lanes; pixel folded out, LANES lanes), which counts frames.
// Cycles: max(ceil(N/NW), PIX*ceil(C/LANES)) per frame in steady state;
// latency 2-4 cycles.  No multiplier.
// Reset: synchronous, active high; the frame restarts empty.
`default_nettype none

module axis_dma_rx #(
    parameter integer DMA_W  = 32,  // DMA stream width in bits (a multiple of WORD_W)
    parameter integer WORD_W = 32,  // bits per value word in memory (a multiple of 8)
    parameter integer VAL_W  = 8,   // bits per value code (<= WORD_W), the output lane width
    parameter integer C      = 1,   // channels per pixel
    parameter integer LANES  = 1,   // output lanes per beat (<= C)
    parameter integer PIX    = 4    // pixels per frame
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire [DMA_W-1:0]       s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    output wire [LANES*VAL_W-1:0] m_axis_tdata,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam integer NW    = DMA_W / WORD_W;

    // C, LANES, PIX and DMA_W/WORD_W against them: checked by axis_frame_refold
    generate
        if (WORD_W < 8 || WORD_W % 8 != 0 || DMA_W < WORD_W || DMA_W % WORD_W != 0 ||
            VAL_W < 1 || VAL_W > WORD_W) begin : g_bad_word
            $fatal(1, "axis_dma_rx: need DMA_W a multiple of WORD_W, WORD_W of 8, 1 <= VAL_W <= WORD_W");
        end
    endgenerate

    // each word's low VAL_W bits, one lane per word
    wire [NW*VAL_W-1:0] vals;
    genvar j;
    generate
        for (j = 0; j < NW; j = j + 1) begin : g_lane
            assign vals[j*VAL_W +: VAL_W] = s_axis_tdata[j*WORD_W +: VAL_W];
        end
    endgenerate
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_high = ^s_axis_tdata;   // the words' upper bits are not read
    /* verilator lint_on UNUSEDSIGNAL */

    axis_frame_refold #(
        .LANE_W(VAL_W), .C(C), .PIX(PIX), .IN_LANES(NW), .IN_FRAME(1),
        .OUT_LANES(LANES), .OUT_FRAME(0)
    ) u_refold (
        .clk(clk), .rst(rst),
        .s_axis_tdata(vals), .s_axis_tlast(1'b0),
        .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
        .m_axis_tdata(m_axis_tdata), .m_axis_tlast(m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
