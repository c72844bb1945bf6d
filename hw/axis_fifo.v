// axis_fifo: synchronous first-word-fall-through AXI-Stream FIFO.
//
// The storage array has a synchronous write port and a registered read port
// (the read register is the RAM's own output register), so Yosys maps it to
// block RAM (RAMB18/36, DP16KD) or LUT RAM depending on RAM_STYLE and size.
// OUT_REG = 1 adds an output register after the RAM's: the RAM output then
// feeds only a register (a block RAM's clock-to-out is most of a cycle on
// ECP5, so no logic of the next module may follow it).
//
// Packing: tdata is opaque (DATA_W bits), tlast is stored with it.
// Cycles: latency 2 + OUT_REG cycles (write, RAM read[, output register]),
// throughput 1 beat/cycle, capacity DEPTH + 1 + OUT_REG beats.
// no_rw_check: the RAM is never read and written at one address in a cycle (a
// read needs an entry, a write a free one; full blocks the write), so yosys
// adds no read-during-write bypass after it (it did on some block RAM FIFOs:
// a LUT between the DP16KD and the output register).
// s_axis_tready is a flop (full set by the push that fills the RAM, cleared by
// a pop), so no upstream ready chain runs through the pointer compare.
// The data's enables come from kept copies of the flags they need: the gate
// driving hundreds of enables is then not the one the flags' own next values
// come from, so neither is placed far from its loads (a wide LUT-RAM FIFO's
// shared pop or push gate sat between the two, 2 x 3.7 ns of routing).  The
// RAM write is enabled by a flop alone (!full, kept): the RAM takes the input
// every cycle it has a free entry, and a push only moves wr_ptr (a gate after
// a copy of full still routed 4.5 + 5.1 ns to a 1,217-bit FIFO's LUT RAMs).
// The read register and the output register load under gates of the copies
// of ram_empty, ram_v and out_v.
// HALF_RATE = 1: at most one beat every other cycle leaves, and m_axis_tready
// reaches a single flop (the beat taken): the FIFO's pop follows a cycle later,
// from that flop, while m_axis_tvalid is held low.  For a producer that moves
// at most a beat every other cycle (conv_mvu with SF >= 2), whose wide read
// register's enables would otherwise hang off the consumer's ready.
// Reset: synchronous, active high; pointers and both read stages are
// emptied (stored words are not cleared, they just become unreachable).
`default_nettype none

module axis_fifo #(
    parameter integer DATA_W    = 8,       // tdata width in bits (>= 1)
    parameter integer DEPTH     = 16,      // RAM entries, power of two >= 2
    parameter integer RAM_STYLE = 0,       // storage: 0 auto, 1 block RAM, 2 LUT (distributed) RAM
    parameter integer OUT_REG   = 0,       // 1: a register after the RAM read (+1 cycle latency)
    parameter integer HALF_RATE = 0        // 1: <= 1 beat every 2 cycles out, the ready registered
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
        if (OUT_REG < 0 || OUT_REG > 1) begin : g_bad_out_reg
            $fatal(1, "axis_fifo: OUT_REG must be 0 or 1");
        end
        if (HALF_RATE < 0 || HALF_RATE > 1) begin : g_bad_half
            $fatal(1, "axis_fifo: HALF_RATE must be 0 or 1");
        end
    endgenerate

    reg  [AW:0]     wr_ptr;
    reg  [AW:0]     rd_ptr;
    reg  [DATA_W:0] ram_q;  // RAM read register, {tlast, tdata}
    reg             ram_v;
    wire            ram_take;  // the RAM read register is emptied this cycle

    // full and empty are registers (s_axis_tready and the read enable come from
    // flops, so no ready chain runs through a pointer compare): full is set by a
    // push that makes the DEPTH-th entry and cleared by a pop, empty is set by a
    // pop of the last entry and cleared by a push; almost (DEPTH - 1 entries)
    // and one (1 entry) are compared from registers.
    // almost and one are equality compares of pointer registers, no subtraction:
    // wr_ptr - rd_ptr == DEPTH - 1  <=>  wr_ptr + 1 == rd_ptr + DEPTH (its top bit
    // flipped), and wr_ptr - rd_ptr == 1  <=>  wr_ptr == rd_ptr + 1, with the
    // pointers plus one kept as registers (a carry chain before the compare was
    // the 8-bit fmnist build's critical path, 8.19 ns)
    reg             full;
    reg             ram_empty;
    reg  [AW:0]     wr_ptr1;   // wr_ptr + 1
    reg  [AW:0]     rd_ptr1;   // rd_ptr + 1
    wire            almost    = (wr_ptr1 == {~rd_ptr[AW], rd_ptr[AW-1:0]});
    wire            one       = (wr_ptr == rd_ptr1);
    wire push      = s_axis_tvalid && !full;
    wire pop_ram   = !ram_empty && (!ram_v || ram_take);
    // the copies for the data's enables (equal to the originals at all times:
    // updated by the originals' gates, so the data's gates drive only the data;
    // originals and copies are kept, or yosys' opt_merge makes them one flop)
    // the RAM is written every cycle it has a free entry (wr_ptr's entry holds
    // nothing until a push moves wr_ptr past it), so its write enable is a
    // flop, no gate: wr_room_d == !full
    reg             wr_room_d;
    reg             ram_empty_d;
    reg             ram_v_d;
    wire            take_d;    // ram_take, from the copies
    wire            pop_d     = !ram_empty_d && (!ram_v_d || take_d);

    assign s_axis_tready = !full;

    // the consumer's handshake as the FIFO's logic sees it (HALF_RATE: the beat
    // taken, registered)
    wire m_ready_i;
    wire m_valid_i;
    generate
        if (HALF_RATE == 1) begin : g_half
            reg took;   // a beat left last cycle: pop it now, show no valid
            always @(posedge clk) took <= !rst && m_axis_tvalid && m_axis_tready;
            assign m_ready_i     = took;
            assign m_axis_tvalid = m_valid_i && !took;
        end else begin : g_full_rate
            assign m_ready_i     = m_axis_tready;
            assign m_axis_tvalid = m_valid_i;
        end
    endgenerate

    generate
        if (OUT_REG == 1) begin : g_out_reg
            reg  [DATA_W:0] out_q;  // output register, {tlast, tdata}
            reg             out_v;
            reg             out_v_d;   // its copy for out_q's enable
            wire            load_out = ram_v && (!out_v || m_ready_i);
            assign take_d   = ram_v_d && (!out_v_d || m_ready_i);
            assign ram_take = load_out;
            always @(posedge clk) if (take_d) out_q <= ram_q;
            wire            out_v_nx = load_out ? 1'b1 : m_ready_i ? 1'b0 : out_v;
            (* keep *) always @(posedge clk) out_v   <= !rst && out_v_nx;
            (* keep *) always @(posedge clk) out_v_d <= !rst && out_v_nx;
            assign m_axis_tdata  = out_q[DATA_W-1:0];
            assign m_axis_tlast  = out_q[DATA_W];
            assign m_valid_i     = out_v;
        end else begin : g_no_out_reg
            assign ram_take      = m_ready_i;
            assign take_d        = m_ready_i;
            assign m_axis_tdata  = ram_q[DATA_W-1:0];
            assign m_axis_tlast  = ram_q[DATA_W];
            assign m_valid_i     = ram_v;
        end
    endgenerate

    generate
        if (RAM_STYLE == 1) begin : g_block
            (* ram_style = "block", no_rw_check *) reg [DATA_W:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_room_d) mem[wr_ptr[AW-1:0]] <= {s_axis_tlast, s_axis_tdata};
                if (pop_d) ram_q <= mem[rd_ptr[AW-1:0]];
            end
        end else if (RAM_STYLE == 2) begin : g_dist
            (* ram_style = "distributed", no_rw_check *) reg [DATA_W:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_room_d) mem[wr_ptr[AW-1:0]] <= {s_axis_tlast, s_axis_tdata};
                if (pop_d) ram_q <= mem[rd_ptr[AW-1:0]];
            end
        end else begin : g_auto
            (* no_rw_check *) reg [DATA_W:0] mem[0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_room_d) mem[wr_ptr[AW-1:0]] <= {s_axis_tlast, s_axis_tdata};
                if (pop_d) ram_q <= mem[rd_ptr[AW-1:0]];
            end
        end
    endgenerate

    // the flags' next values, once for the originals and their copies
    wire full_nx      = (push && !pop_ram && almost) ? 1'b1 : pop_ram ? 1'b0 : full;
    wire ram_empty_nx = (pop_ram && !push && one) ? 1'b1 : push ? 1'b0 : ram_empty;
    wire ram_v_nx     = pop_ram ? 1'b1 : ram_take ? 1'b0 : ram_v;

    (* keep *) always @(posedge clk) begin   // kept, as the copies are (no merge)
        if (rst) begin
            wr_ptr <= {(AW + 1) {1'b0}};
            rd_ptr <= {(AW + 1) {1'b0}};
            wr_ptr1 <= (AW + 1)'(1);
            rd_ptr1 <= (AW + 1)'(1);
            ram_v  <= 1'b0;
            full   <= 1'b0;
            ram_empty <= 1'b1;
        end else begin
            full      <= full_nx;
            ram_empty <= ram_empty_nx;
            ram_v     <= ram_v_nx;
            if (push) begin
                wr_ptr  <= wr_ptr1;
                wr_ptr1 <= wr_ptr1 + 1'b1;
            end
            if (pop_ram) begin
                rd_ptr  <= rd_ptr1;
                rd_ptr1 <= rd_ptr1 + 1'b1;
            end
        end
    end
    (* keep *) always @(posedge clk) begin
        if (rst) begin
            wr_room_d   <= 1'b1;
            ram_empty_d <= 1'b1;
            ram_v_d     <= 1'b0;
        end else begin
            wr_room_d   <= !full_nx;
            ram_empty_d <= ram_empty_nx;
            ram_v_d     <= ram_v_nx;
        end
    end
endmodule

`default_nettype wire
