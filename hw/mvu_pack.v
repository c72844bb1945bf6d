// mvu_pack: conv_mvu's packed products (MULT_STYLE 2): the PE x SIMD products
// of unsigned activations and signed weights, PACK products of one input lane
// in one DSP multiply.
//
// The weights of PACK output channels, each offset to unsigned
// (w + 2^(W_W-1): its top bit inverted), sit side by side PK_F = IN_W + W_W
// bits apart in one operand of at most PACK_AW = 24 bits (a DSP48E1's 25-bit
// and a DSP48E2's 27-bit signed port take it whole), times x: every field of
// the product is one x * (w + 2^(W_W-1)) < 2^PK_F exactly, no carries between
// fields.  PACK = 1 + (PACK_AW - W_W) / PK_F (3 for 4 x 4 bits, 2 for 8 x 4
// bits); NG = ceil(PE / PACK) groups per lane, a last group of one channel
// (PE % PACK = 1) gets a plain signed product.  The offset is the caller's to
// take off: 2^(W_W-1) * x per packed channel.
//
// Packing: x_nx lane s at [s*IN_W +: IN_W]; w of channel p, lane s at
// [(p*SIMD + s)*W_W +: W_W] (conv_mvu's ROM word); product of (p, s) at
// [(p*SIMD + s)*PW +: PW], PW = IN_W + 1 + W_W bits: x * (w + 2^(W_W-1))
// zero-extended for a packed channel, x * w signed for one alone in its group.
// Cycles: x_nx is registered, once per group (NG copies kept apart from
// yosys' merge of equal flip-flops, so no x net fans out across the die to
// every DSP); w is taken with that register's output; the product is
// registered: p holds the products of x_nx two cycles and of w one cycle
// earlier.
// Reset: none (a pipeline of data registers).
`default_nettype none

module mvu_pack #(
    parameter integer SIMD = 1,   // input lanes
    parameter integer PE   = 3,   // output channels
    parameter integer IN_W = 4,   // activation width in bits (unsigned, <= 17)
    parameter integer W_W  = 4    // weight width in bits (signed, >= 2)
) (
    input  wire                     clk,
    input  wire [SIMD*IN_W-1:0]     x_nx,
    input  wire [PE*SIMD*W_W-1:0]   w,
    output wire [PE*SIMD*PW-1:0]    p
);
    localparam integer PW      = IN_W + 1 + W_W;
    localparam integer PACK_AW = 24;
    localparam integer PK_F    = IN_W + W_W;
    localparam integer PACK    = 1 + (PACK_AW - W_W) / PK_F;
    localparam integer NG      = (PE + PACK - 1) / PACK;

    generate
        if (SIMD < 1 || PE < 1) begin : g_bad_size
            $fatal(1, "mvu_pack: SIMD and PE must be >= 1");
        end
        if (IN_W < 1 || IN_W > 17 || W_W < 2 || PACK < 2) begin : g_bad_width
            $fatal(1, "mvu_pack: need 1 <= IN_W <= 17, W_W >= 2 and 2 * IN_W + 3 * W_W <= 24");
        end
    endgenerate

    genvar s, g, k;
    generate
        for (g = 0; g < NG; g = g + 1) begin : g_g
            localparam integer R  = (PE - g * PACK < PACK) ? PE - g * PACK : PACK;
            localparam integer AW = (R - 1) * PK_F + W_W;
            reg [SIMD*IN_W-1:0] xq;   // this group's copy of x
            (* keep *) always @(posedge clk) xq <= x_nx;
            for (s = 0; s < SIMD; s = s + 1) begin : g_s
                wire [IN_W-1:0] xl = xq[s*IN_W +: IN_W];
                if (R >= 2) begin : g_dsp
                    wire [AW-1:0] a;
                    reg  [AW+IN_W-1:0] pq;
                    for (k = 0; k < R; k = k + 1) begin : g_f
                        wire [W_W-1:0] wl = w[((g*PACK + k)*SIMD + s)*W_W +: W_W];
                        wire [W_W-1:0] wu = {~wl[W_W-1], wl[W_W-2:0]};
                        if (k + 1 < R) begin : g_low
                            assign a[k*PK_F +: PK_F] = {{(PK_F - W_W) {1'b0}}, wu};
                        end else begin : g_top
                            assign a[k*PK_F +: W_W] = wu;
                        end
                        assign p[((g*PACK + k)*SIMD + s)*PW +: PW] = {1'b0, pq[k*PK_F +: PK_F]};
                    end
                    always @(posedge clk) pq <= a * xl;
                end else begin : g_one
                    wire signed [IN_W:0]  xs = {1'b0, xl};
                    wire signed [W_W-1:0] ws = w[((g*PACK)*SIMD + s)*W_W +: W_W];
                    reg  signed [PW-1:0]  pq;
                    always @(posedge clk) pq <= xs * ws;
                    assign p[((g*PACK)*SIMD + s)*PW +: PW] = pq;
                end
            end
        end
    endgenerate
endmodule

`default_nettype wire
