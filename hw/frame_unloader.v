// frame_unloader: the network's output frame and its status word in, a UART
// response frame out.
//
// Wire format (board -> host; squeezefpga_uart.py decodes it):
//   0xA5 0x5A SEQ STATUS PAYLOAD[0..PAYLOAD_BYTES-1] CRC
// SEQ and STATUS as frame_loader produced them for this frame ({STATUS, SEQ}
// on s_stat_axis), CRC = CRC-8 (0x07, initial 0, MSB first) of SEQ, STATUS
// and the payload.  The host finds a frame by its two sync bytes and checks
// its length and CRC, so a lost byte costs that one response.  A frame starts
// when both its status and its first payload byte are there; it is sent
// whole, the status word taken at its end.  The payload is the next
// PAYLOAD_BYTES bytes of s_axis (its tlast is not used).
// Packing: s_axis/m_axis carry one byte per beat; m_axis_tlast marks CRC.
// Cycles: one byte per cycle (PAYLOAD_BYTES + 5 per frame) when m_axis is ready.
// Reset: synchronous, active high; a frame being sent is cut off.
`default_nettype none

module frame_unloader #(
    parameter integer PAYLOAD_BYTES = 16   // bytes of one network output frame (>= 1)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire [7:0]  s_axis_tdata,
    input  wire        s_axis_tvalid,
    output wire        s_axis_tready,
    input  wire [15:0] s_stat_axis_tdata,   // {STATUS, SEQ}
    input  wire        s_stat_axis_tvalid,
    output wire        s_stat_axis_tready,
    output reg  [7:0]  m_axis_tdata,
    output reg         m_axis_tlast,
    output reg         m_axis_tvalid,
    input  wire        m_axis_tready
);
    localparam integer PW = $clog2(PAYLOAD_BYTES + 2);

    generate
        if (PAYLOAD_BYTES < 1) begin : g_bad_payload
            $fatal(1, "frame_unloader: PAYLOAD_BYTES must be >= 1");
        end
    endgenerate


    localparam [2:0] S_IDLE = 3'd0, S_SYNC1 = 3'd1, S_SEQ = 3'd2, S_STATUS = 3'd3,
                     S_DATA = 3'd4, S_CRC = 3'd5;
    localparam [PW-1:0] N_1 = PW'(PAYLOAD_BYTES - 1);
    reg [2:0]    state;
    reg [PW-1:0] cnt;
    reg [7:0]    crc;

    wire out_free = !m_axis_tvalid || m_axis_tready;
    // the byte going out now, shifted into the CRC (SEQ starts it from 0)
    wire [7:0] crc_data = (state == S_SEQ) ? s_stat_axis_tdata[7:0] :
                          (state == S_STATUS) ? s_stat_axis_tdata[15:8] : s_axis_tdata;
    wire [7:0] crc_next;
    crc8 #(.POLY(7)) u_crc (.crc_in(state == S_SEQ ? 8'd0 : crc), .data(crc_data),
                            .crc_out(crc_next));
    assign s_axis_tready = state == S_DATA && out_free;
    assign s_stat_axis_tready = state == S_CRC && out_free;

    always @(posedge clk) begin
        if (m_axis_tvalid && m_axis_tready) m_axis_tvalid <= 1'b0;
        if (rst) begin
            state <= S_IDLE;
            m_axis_tvalid <= 1'b0;
        end else if (out_free) begin
            case (state)
                S_IDLE: if (s_stat_axis_tvalid && s_axis_tvalid) begin
                    m_axis_tdata <= 8'hA5;
                    m_axis_tlast <= 1'b0;
                    m_axis_tvalid <= 1'b1;
                    state <= S_SYNC1;
                end
                S_SYNC1: begin
                    m_axis_tdata <= 8'h5A;
                    m_axis_tvalid <= 1'b1;
                    state <= S_SEQ;
                end
                S_SEQ: begin
                    m_axis_tdata <= s_stat_axis_tdata[7:0];
                    m_axis_tvalid <= 1'b1;
                    crc <= crc_next;
                    state <= S_STATUS;
                end
                S_STATUS: begin
                    m_axis_tdata <= s_stat_axis_tdata[15:8];
                    m_axis_tvalid <= 1'b1;
                    crc <= crc_next;
                    cnt <= '0;
                    state <= S_DATA;
                end
                S_DATA: if (s_axis_tvalid) begin
                    m_axis_tdata <= s_axis_tdata;
                    m_axis_tvalid <= 1'b1;
                    crc <= crc_next;
                    cnt <= cnt + 1'b1;
                    if (cnt == N_1) state <= S_CRC;
                end
                default: begin   // S_CRC: the status word is taken with it
                    m_axis_tdata <= crc;
                    m_axis_tlast <= 1'b1;
                    m_axis_tvalid <= 1'b1;
                    state <= S_IDLE;
                end
            endcase
        end
    end
endmodule

`default_nettype wire
