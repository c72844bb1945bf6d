// frame_loader: UART request frames (COBS, CRC-8) in, the network's input
// frame and a status word out.
//
// Wire format (host -> board; squeezefpga_uart.py encodes it):
//   COBS( SEQ, PAYLOAD[0..PAYLOAD_BYTES-1], CRC ) 0x00
// COBS (consistent overhead byte stuffing) leaves no 0x00 inside a frame, so
// 0x00 delimits frames: a lost or corrupted byte spoils one frame (two when
// the delimiter itself is lost), never the frames after it.  CRC is CRC-8
// (polynomial x^8+x^2+x+1, 0x07, initial 0, MSB first, no final xor) of SEQ
// and the payload; the CRC of a good frame including its CRC byte is 0.
// Decoded payload bytes go out on m_axis as they arrive (tlast on byte
// PAYLOAD_BYTES-1); the network cannot take back what it has been given, so
// a frame that ends early is completed with zero bytes, and one that goes on
// past its CRC has its extra bytes dropped.  At the delimiter the status goes
// out on m_stat_axis: {STATUS, SEQ}, STATUS 0 = good, 1 = CRC error,
// 2 = wrong length; one status per network frame, in order.  A frame that
// decodes to no byte at all (0x00 0x00, or a code byte then 0x00) is ignored.
// Packing: s_axis/m_axis carry one byte per beat (tlast of s_axis ignored).
// Cycles: one input byte per cycle, plus one cycle per frame for its status;
// padding one byte per cycle.
// Reset: synchronous, active high; the decoder waits for a delimiter (a
// frame cut by the reset is thrown away).
`default_nettype none

module frame_loader #(
    parameter integer PAYLOAD_BYTES = 16   // bytes of one network input frame (>= 1)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire [7:0]  s_axis_tdata,
    input  wire        s_axis_tvalid,
    output wire        s_axis_tready,
    output reg  [7:0]  m_axis_tdata,
    output reg         m_axis_tlast,
    output reg         m_axis_tvalid,
    input  wire        m_axis_tready,
    output reg  [15:0] m_stat_axis_tdata,    // {STATUS, SEQ}
    output reg         m_stat_axis_tvalid,
    input  wire        m_stat_axis_tready
);
    localparam integer PW = $clog2(PAYLOAD_BYTES + 4);

    generate
        if (PAYLOAD_BYTES < 1) begin : g_bad_payload
            $fatal(1, "frame_loader: PAYLOAD_BYTES must be >= 1");
        end
    endgenerate


    localparam [1:0] S_SYNC = 2'd0, S_RUN = 2'd1, S_PAD = 2'd2, S_STAT = 2'd3;
    reg [1:0]    state;
    reg [7:0]    left;      // COBS: data bytes left in the current block (0: next is a code)
    reg          zpend;     // COBS: a 0x00 is decoded when the next code byte arrives
    reg [PW-1:0] pos;       // decoded bytes so far: 0 SEQ, 1..N payload, N+1 CRC (saturates)
    reg [PW-1:0] sent;      // payload bytes given to m_axis
    reg [7:0]    seq, crc;

    localparam [PW-1:0] N = PW'(PAYLOAD_BYTES), N_1 = PW'(PAYLOAD_BYTES - 1),
                        N_2 = PW'(PAYLOAD_BYTES + 2), N_3 = PW'(PAYLOAD_BYTES + 3);
    reg [7:0] status;       // of the frame being concluded
    wire out_free = !m_axis_tvalid || m_axis_tready;
    assign s_axis_tready = (state == S_SYNC) || (state == S_RUN && out_free);
    wire take = s_axis_tvalid && s_axis_tready;
    wire delim = s_axis_tdata == 8'h00;
    // a decoded byte this cycle: a data byte, or the pending 0x00 at a code byte
    wire dec_v = take && state == S_RUN && !delim && (left != 8'd0 || zpend);
    wire [7:0] dec = (left != 8'd0) ? s_axis_tdata : 8'h00;
    wire [7:0] crc_next;   // crc with the decoded byte shifted in
    crc8 #(.POLY(7)) u_crc (.crc_in(crc), .data(dec), .crc_out(crc_next));
    wire stat_free = !m_stat_axis_tvalid || m_stat_axis_tready;
    // the decoder starts over: after reset's delimiter, an empty frame, a status sent
    wire restart = (state == S_SYNC) || (state == S_RUN && take && delim && pos == '0) ||
                   (state == S_STAT && stat_free);

    always @(posedge clk) begin
        if (m_axis_tvalid && m_axis_tready) m_axis_tvalid <= 1'b0;
        if (m_stat_axis_tvalid && m_stat_axis_tready) m_stat_axis_tvalid <= 1'b0;
        if (rst) begin
            state <= S_SYNC;
            m_axis_tvalid <= 1'b0;
            m_stat_axis_tvalid <= 1'b0;
        end else begin
            case (state)
                S_SYNC: if (take && delim) state <= S_RUN;
                S_RUN: if (take) begin
                    if (delim) begin
                        if (pos != '0) begin   // conclude: status, and pad a short frame
                            status <= (pos != N_2) ? 8'd2 : (crc != 8'd0) ? 8'd1 : 8'd0;
                            state <= (sent != N) ? S_PAD : S_STAT;
                        end
                    end else begin
                        if (left == 8'd0) begin   // a code byte
                            left <= s_axis_tdata - 8'd1;
                            zpend <= s_axis_tdata != 8'hFF;
                        end else begin
                            left <= left - 8'd1;
                        end
                        if (dec_v) begin
                            if (pos != N_3) pos <= pos + 1'b1;
                            crc <= crc_next;
                            if (pos == '0) seq <= dec;
                            if (pos != '0 && sent != N) begin
                                m_axis_tdata <= dec;
                                m_axis_tlast <= sent == N_1;
                                m_axis_tvalid <= 1'b1;
                                sent <= sent + 1'b1;
                            end
                        end
                    end
                end
                S_PAD: if (out_free) begin
                    m_axis_tdata <= 8'h00;
                    m_axis_tlast <= sent == N_1;
                    m_axis_tvalid <= 1'b1;
                    sent <= sent + 1'b1;
                    if (sent == N_1) state <= S_STAT;
                end
                default: if (stat_free) begin   // S_STAT
                    m_stat_axis_tdata <= {status, seq};
                    m_stat_axis_tvalid <= 1'b1;
                    state <= S_RUN;
                end
            endcase
            if (restart) begin
                left <= 8'd0;
                zpend <= 1'b0;
                pos <= '0;
                sent <= '0;
                crc <= 8'd0;
            end
        end
    end
endmodule

`default_nettype wire
