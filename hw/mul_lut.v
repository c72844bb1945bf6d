// mul_lut: a soft (LUT) multiplier written without `*`, so that synthesis
// never maps it to a DSP block (yosys synth_xilinx / synth_ecp5 take every
// `*` to DSP48E1 / MULT18X18D, even 4 x 4 bits or a constant).
//
// p = a * b exactly, P_W >= A_W + B_W bits, two's complement when either
// operand is signed.  Shift-and-add over the bits of operand a (give it the
// narrower operand): row i = a[i] ? (b << i) : 0, b sign- or zero-extended to
// P_W bits; for a signed a the top row has weight -2^(A_W-1) and is
// subtracted.  The rows are summed by a balanced tree of two-input adders
// (clog2(A_W) levels, ripple carry each); with PIPE = 1 a register follows
// level LEVELS/2 (rounded down, at least 1) of the tree: the product is
// valid one cycle after its operands (the caller registers the output).
// Latency: PIPE cycles (combinational when PIPE = 0).
`default_nettype none

module mul_lut #(
    parameter integer A_W      = 4,   // width of a, the operand whose bits make the rows
    parameter integer A_SIGNED = 0,   // 1: a is two's complement
    parameter integer B_W      = 4,   // width of b, the multiplicand of every row
    parameter integer B_SIGNED = 1,   // 1: b is two's complement
    parameter integer P_W      = 9,   // product width (>= A_W + B_W)
    parameter integer PIPE     = 0    // 1: one register inside the adder tree
) (
    input  wire           clk,
    input  wire [A_W-1:0] a,
    input  wire [B_W-1:0] b,
    output wire [P_W-1:0] p
);
    function automatic integer levels_of(input integer n);
        integer l, m;
        begin
            l = 0;
            m = n;
            while (m > 1) begin
                m = (m + 1) / 2;
                l = l + 1;
            end
            levels_of = l;
        end
    endfunction

    function automatic integer count_at(input integer n, input integer lvl);
        integer l, m;
        begin
            m = n;
            for (l = 0; l < lvl; l = l + 1) m = (m + 1) / 2;
            count_at = m;
        end
    endfunction

    localparam integer LEVELS = levels_of(A_W);
    localparam integer PLVL   = (PIPE != 0) ? ((LEVELS / 2 > 0) ? LEVELS / 2 : 1) : -1;

    generate
        if (A_W < 1 || B_W < 1 || P_W < A_W + B_W) begin : g_bad_width
            $fatal(1, "mul_lut: need A_W >= 1, B_W >= 1 and P_W >= A_W + B_W");
        end
        if (A_SIGNED < 0 || A_SIGNED > 1 || B_SIGNED < 0 || B_SIGNED > 1) begin : g_bad_sign
            $fatal(1, "mul_lut: A_SIGNED and B_SIGNED must be 0 or 1");
        end
        if (PIPE < 0 || PIPE > 1 || (PIPE == 1 && A_W < 2)) begin : g_bad_pipe
            $fatal(1, "mul_lut: PIPE must be 0 or 1 (1 needs A_W >= 2)");
        end
    endgenerate

    wire [P_W-1:0] bx = {{(P_W - B_W) {(B_SIGNED != 0) && b[B_W-1]}}, b};

    // tree nodes, level-major: node j of level l at [(l*A_W + j)*P_W +: P_W].
    // Leaves: leaf 0 = row A_W-2, leaf 1 = row A_W-1 (subtracted from leaf 0
    // when a is signed), leaf k >= 2 = row k-2.
    // (one vector for all levels: level l+1 reads level l, no loop; Verilator's
    // UNOPTFLAT only says it evaluates the vector as a whole)
    /* verilator lint_off UNOPTFLAT */
    /* verilator lint_off UNUSEDSIGNAL */
    wire [(LEVELS + 1) * A_W * P_W - 1:0] t;
    /* verilator lint_on UNUSEDSIGNAL */
    genvar i, l, j;
    generate
        if (A_W == 1) begin : g_one
            wire [P_W-1:0] neg = {P_W{1'b0}} - bx;
            assign t[0 +: P_W] = a[0] ? ((A_SIGNED != 0) ? neg : bx) : {P_W{1'b0}};
        end else begin : g_rows
            for (i = 0; i < A_W; i = i + 1) begin : g_leaf
                localparam integer R = (i == 0) ? A_W - 2 : (i == 1) ? A_W - 1 : i - 2;
                assign t[i*P_W +: P_W] = a[R] ? (bx << R) : {P_W{1'b0}};
            end
        end
        for (l = 0; l < LEVELS; l = l + 1) begin : g_lvl
            localparam integer N = count_at(A_W, l);
            for (j = 0; j < (N + 1) / 2; j = j + 1) begin : g_node
                wire [P_W-1:0] x0 = t[(l*A_W + 2*j)*P_W +: P_W];
                wire [P_W-1:0] s;
                if (2 * j + 1 < N) begin : g_pair
                    wire [P_W-1:0] x1 = t[(l*A_W + 2*j + 1)*P_W +: P_W];
                    if (l == 0 && j == 0 && A_SIGNED != 0) begin : g_sub
                        assign s = x0 - x1;
                    end else begin : g_add
                        assign s = x0 + x1;
                    end
                end else begin : g_pass
                    assign s = x0;
                end
                if (l + 1 == PLVL) begin : g_reg
                    reg [P_W-1:0] q;
                    always @(posedge clk) q <= s;
                    assign t[((l+1)*A_W + j)*P_W +: P_W] = q;
                end else begin : g_wire
                    assign t[((l+1)*A_W + j)*P_W +: P_W] = s;
                end
            end
            for (j = (N + 1) / 2; j < A_W; j = j + 1) begin : g_unused
                assign t[((l+1)*A_W + j)*P_W +: P_W] = {P_W{1'b0}};
            end
        end
    endgenerate

    /* verilator lint_on UNOPTFLAT */
    assign p = t[LEVELS*A_W*P_W +: P_W];
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_clk = clk;
    /* verilator lint_on UNUSEDSIGNAL */
endmodule

`default_nettype wire
