// mvu_wrom: conv_mvu's weight ROM.  DEPTH words of WIDTH bits; q is the word
// at addr two cycles earlier (a registered read, then an output register),
// three with banks (the bank multiplexer's register).
//
// BANK_DEPTH = 0: one memory of DEPTH words, the contents $readmemh(INIT_FILE),
// one word a line.  Block RAM yosys stacks for a deep ROM is joined by a
// multiplexer between the RAMs' outputs and the output register; on ECP5 that
// path starts with the DP16KD's clock-to-out (5.8 ns) and was the critical
// path of the fmnist build at 125 MHz (9.6 ns).
// BANK_DEPTH > 0 (a power of two < DEPTH): NB = ceil(DEPTH / BANK_DEPTH) banks
// side by side in one memory of BANK_DEPTH words of NB * WIDTH bits: ROM word
// b * BANK_DEPTH + a is bits [b*WIDTH +: WIDTH] of memory word a, and INIT_FILE
// holds the memory in that layout (words past DEPTH zero).  Every bank's read
// goes straight into the output register; the bank multiplexer follows it
// (bank select delayed with the read), so a block RAM's output only feeds a
// register, and a register follows the multiplexer (one cycle more: on ECP5
// the multiplexer and a LUT multiplier's first stage together missed 8 ns).
// Banks of the depth yosys would stack block RAMs in keep the block RAM count
// of the stacked ROM; the multiplexer costs the same LUTs; the output register
// is NB times as wide.  Contents are those of BANK_DEPTH = 0.
// Reset: none (a ROM; the output follows the address).
`default_nettype none

module mvu_wrom #(
    parameter integer WIDTH      = 8,   // bits per word
    parameter integer DEPTH      = 16,  // words (>= 1)
    parameter integer BANK_DEPTH = 0,   // words per bank: 0 one bank, else a power of two < DEPTH
    parameter integer STYLE      = 0,   // 0 auto, 1 block RAM, 2 LUTs (rom_style / ram_style)
    parameter         INIT_FILE  = ""   // $readmemh file (layout above)
) (
    input  wire                 clk,
    /* verilator lint_off UNUSEDSIGNAL */   // (one word: the address is not read)
    input  wire [AW-1:0]        addr,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [WIDTH-1:0]     q
);
    localparam integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
    localparam integer NB = (BANK_DEPTH > 0) ? (DEPTH + BANK_DEPTH - 1) / BANK_DEPTH : 1;
    localparam integer MD = (BANK_DEPTH > 0) ? BANK_DEPTH : DEPTH;   // memory words
    localparam integer LW = (MD > 1) ? $clog2(MD) : 1;               // memory address bits
    localparam integer SW = (NB > 1) ? AW - LW : 1;                  // bank select bits
    localparam integer MW = NB * WIDTH;                              // memory word bits

    generate
        if (WIDTH < 1 || DEPTH < 1) begin : g_bad_size
            $fatal(1, "mvu_wrom: WIDTH and DEPTH must be >= 1");
        end
        if (BANK_DEPTH < 0 || (BANK_DEPTH > 0 && (BANK_DEPTH < 2 || BANK_DEPTH >= DEPTH ||
            (1 << $clog2(BANK_DEPTH)) != BANK_DEPTH))) begin : g_bad_bank
            $fatal(1, "mvu_wrom: BANK_DEPTH must be 0 or a power of two in [2, DEPTH)");
        end
        if (STYLE < 0 || STYLE > 2) begin : g_bad_style
            $fatal(1, "mvu_wrom: STYLE must be 0, 1 or 2");
        end
    endgenerate

    wire [LW-1:0] maddr;
    reg  [MW-1:0] q1;   // the memory's registered read
    reg  [MW-1:0] q2;   // the output register (every bank)
    generate
        if (NB > 1 || DEPTH > 1) begin : g_maddr
            assign maddr = addr[LW-1:0];
        end else begin : g_maddr1
            assign maddr = 1'b0;
        end
        if (STYLE == 1) begin : g_block
            (* rom_style = "block", ram_style = "block" *) reg [MW-1:0] mem[0:MD-1];
            initial $readmemh(INIT_FILE, mem);
            always @(posedge clk) q1 <= mem[maddr];
        end else if (STYLE == 2) begin : g_dist
            (* rom_style = "distributed", ram_style = "distributed" *) reg [MW-1:0] mem[0:MD-1];
            initial $readmemh(INIT_FILE, mem);
            always @(posedge clk) q1 <= mem[maddr];
        end else begin : g_auto
            reg [MW-1:0] mem[0:MD-1];
            initial $readmemh(INIT_FILE, mem);
            always @(posedge clk) q1 <= mem[maddr];
        end
    endgenerate
    always @(posedge clk) q2 <= q1;

    generate
        if (NB > 1) begin : g_mux
            reg [SW-1:0] sel1;
            reg [SW-1:0] sel2;
            always @(posedge clk) begin
                sel1 <= addr[AW-1:LW];
                sel2 <= sel1;
            end
            reg [WIDTH-1:0] q3;   // the multiplexer's register
            always @(posedge clk) q3 <= q2[sel2*WIDTH +: WIDTH];
            assign q = q3;
        end else begin : g_one
            assign q = q2;
        end
    endgenerate
endmodule

`default_nettype wire
