// mvu_dot: one processing element of conv_mvu: the SIMD products of one
// output channel and the registered adder tree that sums them.
//
// Lane s: activation x[s*IN_W +: IN_W] (IN_SIGNED), weight w[s*W_W +: W_W]
// (signed), product PW = IN_W + 1 + W_W bits signed.  Products:
// MULT_STYLE 0 writes `x * w`, both operands registered twice before it and
// the product twice after it (yosys maps it to a DSP48E1 / MULT18X18D; the
// ECP5 bitstream flow moves the registers next to it into the MULT18X18D); 1
// instantiates mul_lut (LUTs only, one register inside); 2 takes registered
// products from the caller (pk, mvu_pack's fields: x and w unused).  The
// products are registered, then summed in TREE_LAT = clog2(SIMD) levels of
// pairwise additions, each registered (an odd node passes through a level).
// dot is the sum, TW = PW + TREE_LAT bits signed, exact.
// Cycles: dot holds the sum of x and w given MUL_LAT + TREE_LAT cycles
// earlier (MUL_LAT = 4 for MULT_STYLE 0, 2 for 1) and of pk TREE_LAT cycles
// earlier (MULT_STYLE 2); a new sum every cycle.
// Reset: none (a pipeline of data registers).
`default_nettype none

module mvu_dot #(
    parameter integer SIMD       = 2,   // products summed (input lanes)
    parameter integer IN_W       = 4,   // activation width in bits
    parameter integer IN_SIGNED  = 0,   // 1: activations are two's complement
    parameter integer W_W        = 4,   // weight width in bits (signed, >= 2)
    parameter integer MULT_STYLE = 0    // products: 0 DSP (`*`), 1 LUT (mul_lut), 2 given (pk)
) (
    /* verilator lint_off UNUSEDSIGNAL */   // x and w with MULT_STYLE 2, pk otherwise,
    input  wire                 clk,        // clk with MULT_STYLE 2 and SIMD 1
    input  wire [SIMD*IN_W-1:0] x,
    input  wire [SIMD*W_W-1:0]  w,
    input  wire [SIMD*PW-1:0]   pk,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [TW-1:0]        dot
);
    localparam integer PW       = IN_W + 1 + W_W;   // signed product width
    localparam integer TREE_LAT = (SIMD > 1) ? $clog2(SIMD) : 0;   // registered tree levels
    localparam integer TW       = PW + TREE_LAT;    // widest tree node
    // the LUT multiplier's rows run over the narrower operand
    localparam integer A_IS_X   = (IN_W <= W_W) ? 1 : 0;

    generate
        if (SIMD < 1) begin : g_bad_size
            $fatal(1, "mvu_dot: SIMD must be >= 1");
        end
        if (IN_W < 1 || W_W < 2 || IN_SIGNED < 0 || IN_SIGNED > 1) begin : g_bad_width
            $fatal(1, "mvu_dot: need IN_W >= 1, W_W >= 2 and IN_SIGNED 0 or 1");
        end
        if (MULT_STYLE < 0 || MULT_STYLE > 2) begin : g_bad_mult
            $fatal(1, "mvu_dot: MULT_STYLE must be 0, 1 or 2");
        end
    endgenerate

    // tree nodes, level-major: node j of level l (PW + l bits, signed) at
    // [(l*SIMD + j)*TW +: PW + l]; level 0 = the registered products
    /* verilator lint_off UNUSEDSIGNAL */
    wire [(TREE_LAT + 1) * SIMD * TW - 1:0] t;
    /* verilator lint_on UNUSEDSIGNAL */
    genvar s, lv, j;
    generate
        for (s = 0; s < SIMD; s = s + 1) begin : g_simd
            /* verilator lint_off UNUSEDSIGNAL */   // (unused with given products)
            wire [IN_W-1:0]       xl = x[s*IN_W +: IN_W];
            wire [W_W-1:0]        wl = w[s*W_W +: W_W];
            /* verilator lint_on UNUSEDSIGNAL */
            reg  signed [PW-1:0]  prod;
            wire signed [TW-1:0]  prodx = TW'(prod);
            if (MULT_STYLE == 2) begin : g_pk   // the packed DSP's field (registered there)
                always @* prod = pk[s*PW +: PW];
            end else if (MULT_STYLE == 1) begin : g_lut
                wire [PW-1:0] pw;
                if (A_IS_X == 1) begin : g_ax
                    mul_lut #(.A_W(IN_W), .A_SIGNED(IN_SIGNED), .B_W(W_W), .B_SIGNED(1),
                              .P_W(PW), .PIPE(IN_W > 1 ? 1 : 0)) u_mul (
                        .clk(clk), .a(xl), .b(wl), .p(pw));
                end else begin : g_aw
                    mul_lut #(.A_W(W_W), .A_SIGNED(1), .B_W(IN_W), .B_SIGNED(IN_SIGNED),
                              .P_W(PW), .PIPE(1)) u_mul (
                        .clk(clk), .a(wl), .b(xl), .p(pw));
                end
                if (A_IS_X == 1 && IN_W == 1) begin : g_pipe1   // mul_lut without its register
                    reg [PW-1:0] pq;
                    always @(posedge clk) pq <= pw;
                    always @(posedge clk) prod <= pq;
                end else begin : g_nopipe1
                    always @(posedge clk) prod <= pw;
                end
            end else begin : g_dsp
                // operands registered twice and the product twice: xr / wr and
                // pm are the multiplier's own (the ECP5 bitstream flow moves them
                // into the MULT18X18D's input and output registers), xr0 / wr0
                // and prod are fabric registers the placer puts between it and
                // the weight ROM / the adder tree, both possibly across the die
                // (fmnist_w8: the ROM -> MULT18X18D A, 6.03 ns of routing + 3.49
                // ns setup, at 9bbc6fd; the output register -> accumulator, 6.95
                // ns, at 84942b8)
                reg  [IN_W-1:0]       xr0, xr;
                reg  [W_W-1:0]        wr0, wr;
                reg  signed [PW-1:0]  pm;
                always @(posedge clk) begin
                    xr0 <= xl;
                    wr0 <= wl;
                    xr  <= xr0;
                    wr  <= wr0;
                end
                wire signed [IN_W:0]  xs = {(IN_SIGNED != 0) && xr[IN_W-1], xr};
                wire signed [W_W-1:0] ws = wr;
                wire signed [PW-1:0]  pw = xs * ws;
                always @(posedge clk) begin
                    pm   <= pw;
                    prod <= pm;
                end
            end
            assign t[s*TW +: TW] = prodx;
        end
        for (lv = 0; lv < TREE_LAT; lv = lv + 1) begin : g_lvl
            localparam integer N  = (SIMD + (1 << lv) - 1) >> lv;   // nodes at level lv
            localparam integer NW = PW + lv;
            for (j = 0; j < (N + 1) / 2; j = j + 1) begin : g_node
                wire signed [NW-1:0] x0 = t[(lv*SIMD + 2*j)*TW +: NW];
                reg  signed [NW:0]   q;
                wire signed [TW-1:0] qx = TW'(q);
                if (2 * j + 1 < N) begin : g_pair
                    wire signed [NW-1:0] x1 = t[(lv*SIMD + 2*j + 1)*TW +: NW];
                    always @(posedge clk) q <= (NW + 1)'(x0) + (NW + 1)'(x1);
                end else begin : g_pass
                    always @(posedge clk) q <= (NW + 1)'(x0);
                end
                assign t[((lv+1)*SIMD + j)*TW +: TW] = qx;
            end
            for (j = (N + 1) / 2; j < SIMD; j = j + 1) begin : g_unused
                assign t[((lv+1)*SIMD + j)*TW +: TW] = {TW{1'b0}};
            end
        end
    endgenerate
    assign dot = t[TREE_LAT*SIMD*TW +: TW];
endmodule

`default_nettype wire
