// axis_dup: AXI-Stream duplicator (fan-out of one stream to two consumers).
//
// Every input beat is delivered exactly once on each output, whatever the
// backpressure on either output: the beat is held in one shared register
// with a per-output valid flag, and a new beat is accepted only when both
// flags are clear or being cleared in this cycle.  For more than two
// consumers, cascade instances.
//
// Packing: tdata is opaque (DATA_W bits), tlast is copied to both outputs.
// Cycles: latency 1 cycle, throughput 1 beat/cycle when both outputs are
// ready; a stalled output stalls the input (add a FIFO on the other branch
// to absorb skew).
// Reset: synchronous, active high; both output valids cleared.
`default_nettype none

module axis_dup #(
    parameter integer DATA_W = 8  // tdata width in bits (>= 1)
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [DATA_W-1:0] s_axis_tdata,
    input  wire              s_axis_tlast,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    output wire [DATA_W-1:0] m0_axis_tdata,
    output wire              m0_axis_tlast,
    output wire              m0_axis_tvalid,
    input  wire              m0_axis_tready,
    output wire [DATA_W-1:0] m1_axis_tdata,
    output wire              m1_axis_tlast,
    output wire              m1_axis_tvalid,
    input  wire              m1_axis_tready
);
    generate
        if (DATA_W < 1) begin : g_bad_data_w
            $fatal(1, "axis_dup: DATA_W must be >= 1");
        end
    endgenerate

    reg [DATA_W:0] data_q;  // {tlast, tdata}
    reg            v0;
    reg            v1;

    assign s_axis_tready  = (!v0 || m0_axis_tready) && (!v1 || m1_axis_tready);
    assign m0_axis_tdata  = data_q[DATA_W-1:0];
    assign m0_axis_tlast  = data_q[DATA_W];
    assign m0_axis_tvalid = v0;
    assign m1_axis_tdata  = data_q[DATA_W-1:0];
    assign m1_axis_tlast  = data_q[DATA_W];
    assign m1_axis_tvalid = v1;

    wire take = s_axis_tvalid && s_axis_tready;

    always @(posedge clk) begin
        if (take) data_q <= {s_axis_tlast, s_axis_tdata};
        if (rst) begin
            v0 <= 1'b0;
            v1 <= 1'b0;
        end else if (take) begin
            v0 <= 1'b1;
            v1 <= 1'b1;
        end else begin
            if (m0_axis_tready) v0 <= 1'b0;
            if (m1_axis_tready) v1 <= 1'b0;
        end
    end
endmodule

`default_nettype wire
