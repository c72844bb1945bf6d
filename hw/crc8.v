// crc8: one byte step of a CRC-8, combinational.
//
// crc_out = the CRC register after shifting the byte in, MSB first (no
// reflection, no final xor: start from 0 and a message followed by its CRC
// leaves 0).  With POLY = 0x07 this is CRC-8/SMBUS, which the UART framing of
// frame_loader / frame_unloader and the host driver use.
// Cycles: combinational (about three LUT levels).
// Reset: none (no state).
`default_nettype none

module crc8 #(
    parameter integer POLY = 7   // generator polynomial without its x^8 term, odd, < 256
) (
    input  wire [7:0] crc_in,
    input  wire [7:0] data,
    output reg  [7:0] crc_out
);
    generate
        if (POLY < 1 || POLY > 255 || POLY % 2 == 0) begin : g_bad_poly
            $fatal(1, "crc8: POLY must be odd and < 256 (the x^0 term set)");
        end
    endgenerate

    localparam [7:0] P = 8'(POLY);
    integer i;
    always @(*) begin
        crc_out = crc_in ^ data;
        for (i = 0; i < 8; i = i + 1)
            crc_out = crc_out[7] ? ((crc_out << 1) ^ P) : (crc_out << 1);
    end
endmodule

`default_nettype wire
