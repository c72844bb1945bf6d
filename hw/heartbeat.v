// heartbeat: a square wave for an LED, to see that the clock runs and the
// design is out of reset.
//
// led toggles every HALF_PERIOD clock cycles (e.g. clock / 2 for 1 Hz).
// Cycles: free running; a counter of clog2(HALF_PERIOD) bits.
// Reset: synchronous, active high; led off, counter cleared.
`default_nettype none

module heartbeat #(
    parameter integer HALF_PERIOD = 4   // clock cycles per LED half period (>= 2)
) (
    input  wire clk,
    input  wire rst,
    output reg  led
);
    localparam integer CW = $clog2(HALF_PERIOD);

    generate
        if (HALF_PERIOD < 2) begin : g_bad_period
            $fatal(1, "heartbeat: HALF_PERIOD must be >= 2");
        end
    endgenerate

    reg [CW-1:0] cnt;
    always @(posedge clk) begin
        if (rst) begin
            cnt <= '0;
            led <= 1'b0;
        end else if (cnt == CW'(HALF_PERIOD - 1)) begin
            cnt <= '0;
            led <= !led;
        end else begin
            cnt <= cnt + 1'b1;
        end
    end
endmodule

`default_nettype wire
