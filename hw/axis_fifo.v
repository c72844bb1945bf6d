// axis_fifo: synchronous first-word-fall-through AXI-Stream FIFO.
//
// The storage array has a synchronous write port and a registered read port
// (the read register is the RAM's own output register), so Yosys maps it to
// block RAM (RAMB18/36, DP16KD) or LUT RAM depending on RAM_STYLE and size.
//
// Packing: tdata is opaque (DATA_W bits), tlast is stored with it.
// Cycles: latency 2 cycles (write, then RAM read into the output register),
// throughput 1 beat/cycle, capacity DEPTH + 1 beats.
// Reset: synchronous, active high; pointers and the output register are
// emptied (stored words are not cleared, they just become unreachable).
`default_nettype none

module axis_fifo #(
    parameter integer DATA_W    = 8,       // tdata width in bits (>= 1)
    parameter integer DEPTH     = 16,      // RAM entries, power of two >= 2
    parameter integer RAM_STYLE = 0        // storage: 0 auto, 1 block RAM, 2 LUT (distributed) RAM
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
    localparam integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;

    generate
        if (DATA_W < 1) begin : g_bad_data_w
            $fatal(1, "axis_fifo: DATA_W must be >= 1");
        end
        if (DEPTH < 2 || (1 << AW) != DEPTH) begin : g_bad_depth
            $fatal(1, "axis_fifo: DEPTH must be a power of two >= 2");
        end
        if (RAM_STYLE < 0 || RAM_STYLE > 2) begin : g_bad_style
            $fatal(1, "axis_fifo: RAM_STYLE must be 0 (auto), 1 (block) or 2 (distributed)");
        end
    endgenerate

    reg  [AW:0]     wr_ptr;
    reg  [AW:0]     rd_ptr;
    reg  [DATA_W:0] out_q;  // {tlast, tdata}
    reg             out_v;

    wire ram_empty = (wr_ptr == rd_ptr);
    wire full      = (wr_ptr[AW] != rd_ptr[AW]) && (wr_ptr[AW-1:0] == rd_ptr[AW-1:0]);
    wire push      = s_axis_tvalid && !full;
    wire pop_ram   = !ram_empty && (!out_v || m_axis_tready);

    assign s_axis_tready = !full;
    assign m_axis_tdata  = out_q[DATA_W-1:0];
    assign m_axis_tlast  = out_q[DATA_W];
    assign m_axis_tvalid = out_v;

    generate
        if (RAM_STYLE == 1) begin : g_block
            (* ram_style = "block" *) reg [DATA_W:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (push) mem[wr_ptr[AW-1:0]] <= {s_axis_tlast, s_axis_tdata};
                if (pop_ram) out_q <= mem[rd_ptr[AW-1:0]];
            end
        end else if (RAM_STYLE == 2) begin : g_dist
            (* ram_style = "distributed" *) reg [DATA_W:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (push) mem[wr_ptr[AW-1:0]] <= {s_axis_tlast, s_axis_tdata};
                if (pop_ram) out_q <= mem[rd_ptr[AW-1:0]];
            end
        end else begin : g_auto
            reg [DATA_W:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (push) mem[wr_ptr[AW-1:0]] <= {s_axis_tlast, s_axis_tdata};
                if (pop_ram) out_q <= mem[rd_ptr[AW-1:0]];
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            wr_ptr <= {(AW + 1) {1'b0}};
            rd_ptr <= {(AW + 1) {1'b0}};
            out_v  <= 1'b0;
        end else begin
            if (push) wr_ptr <= wr_ptr + 1'b1;
            if (pop_ram) rd_ptr <= rd_ptr + 1'b1;
            if (pop_ram) out_v <= 1'b1;
            else if (m_axis_tready) out_v <= 1'b0;
        end
    end
endmodule

`default_nettype wire
