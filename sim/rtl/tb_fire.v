// tb_fire: test-only composition of the hw/ library into one SqueezeNet fire
// module (not a library module): squeeze 1x1 conv -> requant -> axis_dup ->
// {FIFO -> expand 1x1 conv -> requant, window_gen -> expand 3x3 conv ->
// requant} -> axis_concat.  Geometry is fixed; weight files are parameters.
`default_nettype none

module tb_fire #(
    parameter         W_SQ       = "",  // squeeze weights ($readmemh)
    parameter         B_SQ       = "",  // squeeze bias
    parameter         W_E1       = "",  // expand 1x1 weights
    parameter         B_E1       = "",  // expand 1x1 bias
    parameter         W_E3       = "",  // expand 3x3 weights
    parameter         B_E3       = "",  // expand 3x3 bias
    parameter integer FIFO_DEPTH = 32,  // skew FIFO on the 1x1 branch
    parameter integer SH_SQ      = 8,   // requant shifts
    parameter integer SH_E1      = 8,
    parameter integer SH_E3      = 9
) (
    input  wire        clk,
    input  wire        rst,
    input  wire [17:0] s_axis_tdata,   // 3 lanes x 6 bits, 6 channels
    input  wire        s_axis_tlast,
    input  wire        s_axis_tvalid,
    output wire        s_axis_tready,
    output wire [13:0] m_axis_tdata,   // 2 lanes x 7 bits, 12 channels
    output wire        m_axis_tlast,
    output wire        m_axis_tvalid,
    input  wire        m_axis_tready
);
    localparam integer H = 5, W = 6, ACC = 20;

    wire [2*ACC-1:0] sq_acc;  wire sq_acc_v, sq_acc_r, sq_acc_l;
    wire [11:0]      sq;      wire sq_v, sq_r, sq_l;
    wire [11:0]      a0;      wire a0_v, a0_r, a0_l;
    wire [11:0]      b0;      wire b0_v, b0_r, b0_l;
    wire [11:0]      a1;      wire a1_v, a1_r, a1_l;
    wire [11:0]      b1;      wire b1_v, b1_r, b1_l;  wire b1_u;
    wire [2*ACC-1:0] a2;      wire a2_v, a2_r, a2_l;
    wire [2*ACC-1:0] b2;      wire b2_v, b2_r, b2_l;
    wire [11:0]      a3;      wire a3_v, a3_r, a3_l;
    wire [11:0]      b3;      wire b3_v, b3_r, b3_l;

    conv_mvu #(.CIN(6), .COUT(4), .K(1), .SIMD(3), .PE(2), .IN_W(6), .W_W(8), .ACC_W(ACC),
               .NPIX(H * W), .USE_BIAS(1), .WEIGHT_FILE(W_SQ), .BIAS_FILE(B_SQ)) u_sq (
        .clk(clk), .rst(rst), .s_axis_tdata(s_axis_tdata), .s_axis_tlast(s_axis_tlast),
        .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
        .m_axis_tdata(sq_acc), .m_axis_tlast(sq_acc_l), .m_axis_tvalid(sq_acc_v), .m_axis_tready(sq_acc_r));
    requant #(.LANES(2), .IN_W(ACC), .OUT_W(6), .SHIFT(SH_SQ), .RELU(1)) u_sq_q (
        .clk(clk), .rst(rst), .s_axis_tdata(sq_acc), .s_axis_tlast(sq_acc_l), .s_axis_tvalid(sq_acc_v),
        .s_axis_tready(sq_acc_r), .m_axis_tdata(sq), .m_axis_tlast(sq_l), .m_axis_tvalid(sq_v), .m_axis_tready(sq_r));
    axis_dup #(.DATA_W(12)) u_dup (
        .clk(clk), .rst(rst), .s_axis_tdata(sq), .s_axis_tlast(sq_l), .s_axis_tvalid(sq_v), .s_axis_tready(sq_r),
        .m0_axis_tdata(a0), .m0_axis_tlast(a0_l), .m0_axis_tvalid(a0_v), .m0_axis_tready(a0_r),
        .m1_axis_tdata(b0), .m1_axis_tlast(b0_l), .m1_axis_tvalid(b0_v), .m1_axis_tready(b0_r));
    // expand 1x1 branch
    axis_fifo #(.DATA_W(12), .DEPTH(FIFO_DEPTH)) u_fifo (
        .clk(clk), .rst(rst), .s_axis_tdata(a0), .s_axis_tlast(a0_l), .s_axis_tvalid(a0_v), .s_axis_tready(a0_r),
        .m_axis_tdata(a1), .m_axis_tlast(a1_l), .m_axis_tvalid(a1_v), .m_axis_tready(a1_r));
    conv_mvu #(.CIN(4), .COUT(6), .K(1), .SIMD(2), .PE(2), .IN_W(6), .W_W(8), .ACC_W(ACC),
               .NPIX(H * W), .USE_BIAS(1), .WEIGHT_FILE(W_E1), .BIAS_FILE(B_E1)) u_e1 (
        .clk(clk), .rst(rst), .s_axis_tdata(a1), .s_axis_tlast(a1_l), .s_axis_tvalid(a1_v), .s_axis_tready(a1_r),
        .m_axis_tdata(a2), .m_axis_tlast(a2_l), .m_axis_tvalid(a2_v), .m_axis_tready(a2_r));
    requant #(.LANES(2), .IN_W(ACC), .OUT_W(6), .SHIFT(SH_E1), .RELU(1)) u_e1_q (
        .clk(clk), .rst(rst), .s_axis_tdata(a2), .s_axis_tlast(a2_l), .s_axis_tvalid(a2_v), .s_axis_tready(a2_r),
        .m_axis_tdata(a3), .m_axis_tlast(a3_l), .m_axis_tvalid(a3_v), .m_axis_tready(a3_r));
    // expand 3x3 branch
    window_gen #(.H(H), .W(W), .C(4), .LANES(2), .DATA_W(6), .K(3), .S(1),
                 .PAD_T(1), .PAD_L(1), .PAD_B(1), .PAD_R(1)) u_win (
        .clk(clk), .rst(rst), .s_axis_tdata(b0), .s_axis_tlast(b0_l), .s_axis_tvalid(b0_v), .s_axis_tready(b0_r),
        .m_axis_tdata(b1), .m_axis_tuser(b1_u), .m_axis_tlast(b1_l), .m_axis_tvalid(b1_v), .m_axis_tready(b1_r));
    conv_mvu #(.CIN(4), .COUT(6), .K(3), .SIMD(2), .PE(2), .IN_W(6), .W_W(8), .ACC_W(ACC),
               .NPIX(H * W), .USE_BIAS(1), .WEIGHT_FILE(W_E3), .BIAS_FILE(B_E3)) u_e3 (
        .clk(clk), .rst(rst), .s_axis_tdata(b1), .s_axis_tlast(b1_l), .s_axis_tvalid(b1_v), .s_axis_tready(b1_r),
        .m_axis_tdata(b2), .m_axis_tlast(b2_l), .m_axis_tvalid(b2_v), .m_axis_tready(b2_r));
    requant #(.LANES(2), .IN_W(ACC), .OUT_W(6), .SHIFT(SH_E3), .RELU(1)) u_e3_q (
        .clk(clk), .rst(rst), .s_axis_tdata(b2), .s_axis_tlast(b2_l), .s_axis_tvalid(b2_v), .s_axis_tready(b2_r),
        .m_axis_tdata(b3), .m_axis_tlast(b3_l), .m_axis_tvalid(b3_v), .m_axis_tready(b3_r));
    // concat: expand 1x1 at exponent e, expand 3x3 one step coarser (SHIFT_B = 1)
    axis_concat #(.LANES(2), .IN_W(6), .OUT_W(7), .CA(6), .CB(6), .SHIFT_A(0), .SHIFT_B(1)) u_cat (
        .clk(clk), .rst(rst),
        .s_axis_a_tdata(a3), .s_axis_a_tlast(a3_l), .s_axis_a_tvalid(a3_v), .s_axis_a_tready(a3_r),
        .s_axis_b_tdata(b3), .s_axis_b_tlast(b3_l), .s_axis_b_tvalid(b3_v), .s_axis_b_tready(b3_r),
        .m_axis_tdata(m_axis_tdata), .m_axis_tlast(m_axis_tlast), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready));

    wire unused = b1_u;  // conv multiplies the zero padding; the flag is not needed
endmodule

`default_nettype wire
