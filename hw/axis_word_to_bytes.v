// axis_word_to_bytes: words of DATA_W bits in, a byte stream out (the
// network's output beats to a UART's bytes).
//
// Packing: each word goes out as ceil(DATA_W / 8) bytes, least significant
// byte first; the bits of the last byte above DATA_W are zero padding (a
// signed value is not sign-extended: the reader knows DATA_W).  The last byte
// of a word with tlast carries tlast.
// Cycles: one byte per cycle; a word is taken while its predecessor's last
// byte leaves (no bubble).
// Reset: synchronous, active high; a word being sent is discarded.
`default_nettype none

module axis_word_to_bytes #(
    parameter integer DATA_W = 8   // input word width in bits (>= 1)
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [DATA_W-1:0] s_axis_tdata,
    input  wire              s_axis_tlast,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    output wire [7:0]        m_axis_tdata,
    output wire              m_axis_tlast,
    output reg               m_axis_tvalid,
    input  wire              m_axis_tready
);
    localparam integer BYTES = (DATA_W + 7) / 8;
    localparam integer BW = (BYTES > 1) ? $clog2(BYTES) : 1;

    generate
        if (DATA_W < 1) begin : g_bad_data_w
            $fatal(1, "axis_word_to_bytes: DATA_W must be >= 1");
        end
    endgenerate

    reg [8*BYTES-1:0] shift;    // bytes still to send, the next one at the bottom
    reg [BW-1:0]      cnt;      // bytes of this word sent
    reg               last;
    wire              final_byte = cnt == BW'(BYTES - 1);
    assign s_axis_tready = !m_axis_tvalid || (m_axis_tready && final_byte);
    assign m_axis_tdata = shift[7:0];
    assign m_axis_tlast = last && final_byte;

    always @(posedge clk) begin
        if (rst) begin
            m_axis_tvalid <= 1'b0;
            cnt <= '0;
        end else if (s_axis_tvalid && s_axis_tready) begin
            shift <= {{(8 * BYTES - DATA_W){1'b0}}, s_axis_tdata};
            last <= s_axis_tlast;
            cnt <= '0;
            m_axis_tvalid <= 1'b1;
        end else if (m_axis_tvalid && m_axis_tready) begin
            if (final_byte) begin
                m_axis_tvalid <= 1'b0;
            end else begin
                shift <= shift >> 8;
                cnt <= cnt + 1'b1;
            end
        end
    end
endmodule

`default_nettype wire
