// axis_dma_tx: the network's output stream -> an AXI DMA's S2MM byte-lane stream.
//
// Input: a frame of PIX pixels (PIX = 1 for class scores), each pixel's C
// channels in ceil(C/LANES) beats of LANES lanes of VAL_W bits (channel
// f*LANES+i at tdata[i*VAL_W +: VAL_W] of fold f; lanes past C are padding
// and dropped).  The input tlast is not read: frames are counted.
// Output (what the PYNQ driver unpacks, driver/squeezefpga_driver.py): the
// frame's N = PIX*C values in channels-last order, one WORD_W-bit
// little-endian word per value, the code sign-extended (SIGNED = 1) or
// zero-extended (SIGNED = 0); NW = DMA_W/WORD_W words per beat, word j at
// tdata[j*WORD_W +: WORD_W]; tkeep all ones except on the frame's last beat,
// which keeps only its N - (ceil(N/NW)-1)*NW words (the rest zero); tlast on
// the frame's last beat (the DMA ends the transfer there).
//
// Structure: axis_frame_refold (pixel folded in, LANES lanes; frame folded
// out, NW lanes), which counts frames, then the word extension and TKEEP.
// Cycles: max(PIX*ceil(C/LANES), ceil(N/NW)) per frame in steady state;
// latency 2-4 cycles.  No multiplier.
// Reset: synchronous, active high; the frame restarts empty.
`default_nettype none

module axis_dma_tx #(
    parameter integer DMA_W  = 32,  // DMA stream width in bits (a multiple of WORD_W)
    parameter integer WORD_W = 32,  // bits per value word in memory (a multiple of 8)
    parameter integer VAL_W  = 8,   // bits per value code (<= WORD_W), the input lane width
    parameter integer SIGNED = 1,   // 1: codes are two's complement (sign-extended), 0: unsigned
    parameter integer C      = 10,  // channels per pixel
    parameter integer LANES  = 1,   // input lanes per beat (<= C)
    parameter integer PIX    = 1    // pixels per frame
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire [LANES*VAL_W-1:0] s_axis_tdata,
    input  wire                   s_axis_tlast,  // not read: frames are counted
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    output wire [DMA_W-1:0]       m_axis_tdata,
    output wire [DMA_W/8-1:0]     m_axis_tkeep,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam integer NW    = DMA_W / WORD_W;
    localparam integer N     = PIX * C;
    localparam integer REM   = N - ((N + NW - 1) / NW - 1) * NW;  // words in the last beat
    localparam integer KB    = DMA_W / 8;

    // C, LANES, PIX and DMA_W/WORD_W against them: checked by axis_frame_refold
    generate
        if (WORD_W < 8 || WORD_W % 8 != 0 || DMA_W < WORD_W || DMA_W % WORD_W != 0 ||
            VAL_W < 1 || VAL_W > WORD_W || SIGNED < 0 || SIGNED > 1) begin : g_bad_word
            $fatal(1, "axis_dma_tx: need DMA_W a multiple of WORD_W, WORD_W of 8, 1 <= VAL_W <= WORD_W, SIGNED 0 or 1");
        end
    endgenerate

    wire [NW*VAL_W-1:0] vals;
    axis_frame_refold #(
        .LANE_W(VAL_W), .C(C), .PIX(PIX), .IN_LANES(LANES), .IN_FRAME(0),
        .OUT_LANES(NW), .OUT_FRAME(1)
    ) u_refold (
        .clk(clk), .rst(rst),
        .s_axis_tdata(s_axis_tdata), .s_axis_tlast(s_axis_tlast),
        .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
        .m_axis_tdata(vals), .m_axis_tlast(m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
    );

    // each lane extended to a word (the padding lanes of the last beat are zero)
    genvar j;
    generate
        for (j = 0; j < NW; j = j + 1) begin : g_word
            wire [VAL_W-1:0] v = vals[j*VAL_W +: VAL_W];
            if (VAL_W == WORD_W) begin : g_same
                assign m_axis_tdata[j*WORD_W +: WORD_W] = v;
            end else begin : g_ext
                assign m_axis_tdata[j*WORD_W +: WORD_W] =
                    {{(WORD_W - VAL_W){SIGNED != 0 && v[VAL_W-1]}}, v};
            end
        end
    endgenerate
    assign m_axis_tkeep = m_axis_tlast ? {KB{1'b1}} >> ((NW - REM) * (WORD_W / 8)) : {KB{1'b1}};
endmodule

`default_nettype wire
