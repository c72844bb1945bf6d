// rst_pipe: a registered copy of a synchronous reset, one per instance.
//
// The generated top registers its reset pin once and gives every hw/ instance
// its own rst_pipe, so no reset net fans out to the whole design (on ECP5
// the pin's net to every register was 8.9 ns of routing alone).  The module
// is kept as a hierarchy level: yosys would otherwise merge the identical
// flops of all instances back into one.
// Cycles: rst_out follows rst_in after STAGES cycles.
// Reset: it is the reset (no reset of its own).
`default_nettype none

(* keep_hierarchy *)
module rst_pipe #(
    parameter integer STAGES = 1  // register stages (>= 1)
) (
    input  wire clk,
    input  wire rst_in,
    output wire rst_out
);
    generate
        if (STAGES < 1) begin : g_bad_stages
            $fatal(1, "rst_pipe: STAGES must be >= 1");
        end
    endgenerate

    reg [STAGES-1:0] q;
    generate
        if (STAGES == 1) begin : g_one
            always @(posedge clk) q <= rst_in;
        end else begin : g_chain
            always @(posedge clk) q <= {q[STAGES-2:0], rst_in};
        end
    endgenerate
    assign rst_out = q[STAGES-1];
endmodule

`default_nettype wire
