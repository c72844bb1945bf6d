// uart_tx: 8N1 UART transmitter, one AXI-Stream byte per character.
//
// A byte accepted on s_axis goes out as a start bit (0), eight data bits LSB
// first and a stop bit (1), each CLKS_PER_BIT clock cycles long; the line is
// driven from a register (no glitches) and idles high.
// Packing: s_axis_tdata is the character; tlast is not used.
// Cycles: tready is high while the line is idle; a byte takes 10 bit times,
// the next one is accepted in the last cycle of the stop bit (back to back).
// Reset: synchronous, active high; the line goes idle (high) at once.
`default_nettype none

module uart_tx #(
    parameter integer CLKS_PER_BIT = 16   // clock cycles per bit (>= 4): clock / baud, rounded
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] s_axis_tdata,
    input  wire       s_axis_tvalid,
    output wire       s_axis_tready,
    output reg        tx                 // the line, idle high
);
    localparam integer CW = $clog2(CLKS_PER_BIT + 1);

    generate
        if (CLKS_PER_BIT < 4) begin : g_bad_clks
            $fatal(1, "uart_tx: CLKS_PER_BIT must be >= 4");
        end
    endgenerate

    reg [8:0]    shift;    // data bits then the stop bit, shifted out LSB first
    reg [3:0]    left;     // bits still to send after the current one (0: idle or stop bit)
    reg          busy;
    reg [CW-1:0] cnt;

    wire last_cycle = busy && left == 4'd0 && cnt == 0;
    assign s_axis_tready = !busy || last_cycle;

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0;
            tx <= 1'b1;
            left <= 4'd0;
            cnt <= '0;
        end else if (s_axis_tvalid && s_axis_tready) begin
            busy <= 1'b1;
            tx <= 1'b0;                          // start bit
            shift <= {1'b1, s_axis_tdata};
            left <= 4'd9;
            cnt <= CW'(CLKS_PER_BIT - 1);
        end else if (busy) begin
            if (cnt != 0) cnt <= cnt - 1'b1;
            else if (left == 4'd0) begin
                busy <= 1'b0;                    // the stop bit is the idle level
            end else begin
                tx <= shift[0];
                shift <= {1'b1, shift[8:1]};
                left <= left - 1'b1;
                cnt <= CW'(CLKS_PER_BIT - 1);
            end
        end
    end
endmodule

`default_nettype wire
