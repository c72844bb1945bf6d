// uart_rx: 8N1 UART receiver, one AXI-Stream byte per character.
//
// The rx pin goes through a two-flop synchronizer; a falling edge starts a
// character, each bit is sampled in the middle of its bit time (CLKS_PER_BIT
// clock cycles per bit, counted from the start edge), LSB first.  A character
// whose stop bit reads 0 is dropped (frame_err pulses for one cycle); a
// character that completes while the previous byte is still waiting on
// m_axis (tready low) is dropped as well (overrun pulses): a UART cannot be
// held off, the framing above this module recovers from the lost byte.
// Packing: m_axis_tdata is the character, LSB = first data bit; no tlast.
// Cycles: m_axis_tvalid rises 2 cycles (synchronizer) plus 9.5 bit times
// after the start edge; one character per 10 bit times.
// Reset: synchronous, active high; the receiver waits for the line to be
// idle (high) for a bit time before it looks for a start edge.
`default_nettype none

module uart_rx #(
    parameter integer CLKS_PER_BIT = 16   // clock cycles per bit (>= 4): clock / baud, rounded
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rx,               // the line, idle high
    output reg  [7:0] m_axis_tdata,
    output reg        m_axis_tvalid,
    input  wire       m_axis_tready,
    output reg        frame_err,        // one-cycle pulse: a character without its stop bit
    output reg        overrun           // one-cycle pulse: a character dropped, m_axis full
);
    localparam integer CW = $clog2(CLKS_PER_BIT + 1);

    generate
        if (CLKS_PER_BIT < 4) begin : g_bad_clks
            $fatal(1, "uart_rx: CLKS_PER_BIT must be >= 4");
        end
    endgenerate

    (* async_reg = "true" *) reg [1:0] sync;
    always @(posedge clk) sync <= {sync[0], rx};
    wire line = sync[1];

    localparam [1:0] S_IDLE = 2'd0, S_START = 2'd1, S_DATA = 2'd2, S_STOP = 2'd3;
    reg [1:0]    state;
    reg [CW-1:0] cnt;       // cycles left until the next sample point
    reg [2:0]    nbit;      // data bit being received
    reg [7:0]    shift;
    reg          armed;     // the line was seen idle for a bit time

    wire tick = (cnt == 0);

    always @(posedge clk) begin
        frame_err <= 1'b0;
        overrun   <= 1'b0;
        if (m_axis_tvalid && m_axis_tready) m_axis_tvalid <= 1'b0;
        if (rst) begin
            state <= S_IDLE;
            armed <= 1'b0;
            cnt <= CW'(CLKS_PER_BIT - 1);
            nbit <= 3'd0;
            m_axis_tvalid <= 1'b0;
        end else begin
            case (state)
                S_IDLE: begin
                    if (!armed) begin   // a full bit time of idle line before listening
                        if (!line) cnt <= CW'(CLKS_PER_BIT - 1);
                        else if (tick) armed <= 1'b1;
                        else cnt <= cnt - 1'b1;
                    end else if (!line) begin
                        state <= S_START;
                        cnt <= CW'(CLKS_PER_BIT / 2 - 1);   // to the middle of the start bit
                    end
                end
                S_START: begin
                    if (!tick) cnt <= cnt - 1'b1;
                    else if (line) state <= S_IDLE;          // a glitch, not a start bit
                    else begin
                        state <= S_DATA;
                        cnt <= CW'(CLKS_PER_BIT - 1);
                        nbit <= 3'd0;
                    end
                end
                S_DATA: begin
                    if (!tick) cnt <= cnt - 1'b1;
                    else begin
                        shift <= {line, shift[7:1]};
                        cnt <= CW'(CLKS_PER_BIT - 1);
                        nbit <= nbit + 1'b1;
                        if (nbit == 3'd7) state <= S_STOP;
                    end
                end
                default: begin   // S_STOP: sample the stop bit in its middle
                    if (!tick) cnt <= cnt - 1'b1;
                    else begin
                        state <= S_IDLE;    // armed: the stop bit is the idle level
                        if (!line) begin
                            frame_err <= 1'b1;
                            armed <= 1'b0;
                            cnt <= CW'(CLKS_PER_BIT - 1);
                        end else if (m_axis_tvalid && !m_axis_tready) begin
                            overrun <= 1'b1;
                        end else begin
                            m_axis_tdata <= shift;
                            m_axis_tvalid <= 1'b1;
                        end
                    end
                end
            endcase
        end
    end
endmodule

`default_nettype wire
