// axis_bytes_to_word: a byte stream in, words of DATA_W bits out (a UART's
// bytes to the network's input beats).
//
// Packing: each word is ceil(DATA_W / 8) bytes, least significant byte first;
// the bits of the last byte above DATA_W are padding and dropped.  A byte
// with tlast ends its word early (the missing upper bytes read as zero) and
// the word carries tlast: a frame's last word is never mixed with the next
// frame's bytes.
// Cycles: one byte per cycle; a word leaves one cycle after its last byte.
// Reset: synchronous, active high; a partial word is discarded.
`default_nettype none

module axis_bytes_to_word #(
    parameter integer DATA_W = 8   // output word width in bits (>= 1)
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [7:0]        s_axis_tdata,
    input  wire              s_axis_tlast,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    output wire [DATA_W-1:0] m_axis_tdata,
    output reg               m_axis_tlast,
    output reg               m_axis_tvalid,
    input  wire              m_axis_tready
);
    localparam integer BYTES = (DATA_W + 7) / 8;
    localparam integer BW = (BYTES > 1) ? $clog2(BYTES) : 1;

    generate
        if (DATA_W < 1) begin : g_bad_data_w
            $fatal(1, "axis_bytes_to_word: DATA_W must be >= 1");
        end
    endgenerate

    reg [8*BYTES-1:0] acc;      // bytes of the word being gathered
    reg [DATA_W-1:0]  word;
    reg [BW-1:0]      cnt;      // bytes gathered
    wire              ends = s_axis_tlast || cnt == BW'(BYTES - 1);
    wire              out_free = !m_axis_tvalid || m_axis_tready;
    assign s_axis_tready = !ends || out_free;
    assign m_axis_tdata = word;

    // the word as it stands with this byte in place (upper bytes zero)
    reg [8*BYTES-1:0] with_byte;
    integer k;
    always @(*) begin
        for (k = 0; k < BYTES; k = k + 1)
            with_byte[8*k +: 8] = (BW'(k) == cnt) ? s_axis_tdata :
                                  (BW'(k) < cnt) ? acc[8*k +: 8] : 8'h00;
    end

    always @(posedge clk) begin
        if (m_axis_tvalid && m_axis_tready) m_axis_tvalid <= 1'b0;
        if (rst) begin
            cnt <= '0;
            m_axis_tvalid <= 1'b0;
        end else if (s_axis_tvalid && s_axis_tready) begin
            if (ends) begin
                word <= with_byte[DATA_W-1:0];
                m_axis_tlast <= s_axis_tlast;
                m_axis_tvalid <= 1'b1;
                cnt <= '0;
            end else begin
                acc <= with_byte;
                cnt <= cnt + 1'b1;
            end
        end
    end
endmodule

`default_nettype wire
