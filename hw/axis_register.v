// axis_register: full-throughput AXI-Stream register slice (skid buffer).
//
// Breaks every combinational path between the ports: s_axis_tready is the
// inverse of a flop (the skid register is empty) and m_axis_* come straight
// from flops.  One beat per cycle when m_axis_tready stays high.
//
// Packing: tdata is opaque (DATA_W bits), tlast travels with it.
// Cycles: latency 1 cycle, throughput 1 beat/cycle, capacity 2 beats.
// Reset: synchronous, active high; both registers are emptied.
`default_nettype none

module axis_register #(
    parameter integer DATA_W = 8  // tdata width in bits (>= 1)
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [DATA_W-1:0] s_axis_tdata,
    input  wire              s_axis_tlast,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    output wire [DATA_W-1:0] m_axis_tdata,
    output wire              m_axis_tlast,
    output wire              m_axis_tvalid,
    input  wire              m_axis_tready
);
    generate
        if (DATA_W < 1) begin : g_bad_data_w
            $fatal(1, "axis_register: DATA_W must be >= 1");
        end
    endgenerate

    reg [DATA_W:0] main_q;  // {tlast, tdata}
    reg [DATA_W:0] skid_q;
    reg            main_v;
    reg            skid_v;

    wire load_main = m_axis_tready || !main_v;

    assign s_axis_tready = !skid_v;
    assign m_axis_tdata  = main_q[DATA_W-1:0];
    assign m_axis_tlast  = main_q[DATA_W];
    assign m_axis_tvalid = main_v;

    always @(posedge clk) begin
        if (load_main) begin
            if (skid_v) main_q <= skid_q;
            else if (s_axis_tvalid) main_q <= {s_axis_tlast, s_axis_tdata};
        end else if (s_axis_tvalid && !skid_v) begin
            skid_q <= {s_axis_tlast, s_axis_tdata};
        end

        if (rst) begin
            main_v <= 1'b0;
            skid_v <= 1'b0;
        end else if (load_main) begin
            main_v <= skid_v || s_axis_tvalid;
            skid_v <= 1'b0;
        end else if (s_axis_tvalid && !skid_v) begin
            skid_v <= 1'b1;
        end
    end
endmodule

`default_nettype wire
