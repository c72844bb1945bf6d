// axis_lane_conv: channel-fold width converter (IN_LANES -> OUT_LANES lanes).
//
// Re-folds a channels-last stream: each pixel's C channels arrive in
// ceil(C/IN_LANES) beats of IN_LANES lanes and leave in ceil(C/OUT_LANES)
// beats of OUT_LANES lanes (LANE_W bits each), e.g. between a conv engine's
// PE output folding and the next engine's SIMD input folding.  Padding lanes
// of a pixel's last beat are dropped on input and produced as zeros on
// output, so C need not be a multiple of either lane count.
//
// Structure: a lane buffer of IN_LANES + OUT_LANES lanes; an input beat is
// accepted when its lanes fit, an output beat leaves when the pixel's next
// OUT_LANES (or remaining) lanes are present (room counts this cycle's pop).  tlast travels with the last
// lane of its beat and comes out on the beat holding that lane.
// Cycles: max(ceil(C/IN_LANES), ceil(C/OUT_LANES)) cycles per pixel in
// steady state (the slower side moves 1 beat/cycle); latency 1-2 cycles.
// Reset: synchronous, active high; buffer emptied.
`default_nettype none

module axis_lane_conv #(
    parameter integer LANE_W    = 8,  // bits per channel lane
    parameter integer C         = 8,  // channels per pixel
    parameter integer IN_LANES  = 4,  // input lanes per beat (<= C)
    parameter integer OUT_LANES = 2   // output lanes per beat (<= C)
) (
    input  wire                        clk,
    input  wire                        rst,
    input  wire [IN_LANES*LANE_W-1:0]  s_axis_tdata,
    input  wire                        s_axis_tlast,
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,
    output wire [OUT_LANES*LANE_W-1:0] m_axis_tdata,
    output wire                        m_axis_tlast,
    output wire                        m_axis_tvalid,
    input  wire                        m_axis_tready
);
    localparam integer CFI  = (C + IN_LANES - 1) / IN_LANES;
    localparam integer CFO  = (C + OUT_LANES - 1) / OUT_LANES;
    localparam integer REMI = C - (CFI - 1) * IN_LANES;   // lanes in a pixel's last input beat
    localparam integer REMO = C - (CFO - 1) * OUT_LANES;  // lanes in a pixel's last output beat
    localparam integer BUF  = IN_LANES + OUT_LANES;
    localparam integer BAW  = $clog2(BUF + IN_LANES + 1);  // holds cnt + IN_LANES
    localparam integer FAW  = $clog2(((CFI > CFO) ? CFI : CFO) + 1);
    localparam integer BB   = BUF * LANE_W;

    generate
        if (LANE_W < 1 || C < 1 || IN_LANES < 1 || OUT_LANES < 1) begin : g_bad_size
            $fatal(1, "axis_lane_conv: all parameters must be >= 1");
        end
        if (IN_LANES > C || OUT_LANES > C) begin : g_bad_lanes
            $fatal(1, "axis_lane_conv: IN_LANES and OUT_LANES must be <= C");
        end
    endgenerate

    reg  [BB-1:0]   buff;
    reg  [BUF-1:0]  lastf;   // tlast marker per buffered lane
    reg  [BAW-1:0]  cnt;     // lanes buffered
    reg  [FAW-1:0]  icf;
    reg  [FAW-1:0]  ocf;
    wire            out_ready;

    wire [BAW-1:0] in_amt  = (icf == FAW'(CFI - 1)) ? BAW'(REMI) : BAW'(IN_LANES);
    wire [BAW-1:0] out_amt = (ocf == FAW'(CFO - 1)) ? BAW'(REMO) : BAW'(OUT_LANES);
    wire           o_valid = (cnt >= out_amt);
    wire           pop     = o_valid && out_ready;
    wire [BAW-1:0] cnt1    = pop ? cnt - out_amt : cnt;
    // out_ready is a flop (the register slice's skid flag), so counting this
    // cycle's pop in tready adds no path from m_axis_tready to s_axis_tready
    assign s_axis_tready   = (cnt1 + BAW'(IN_LANES) <= BAW'(BUF));
    wire           push    = s_axis_tvalid && s_axis_tready;

    // output beat: the first out_amt lanes, the rest zero
    wire [OUT_LANES*LANE_W-1:0] full_o = buff[OUT_LANES*LANE_W-1:0];
    wire [OUT_LANES*LANE_W-1:0] o_mask = (ocf == FAW'(CFO - 1))
                                       ? {(OUT_LANES * LANE_W) {1'b1}} >> ((OUT_LANES - REMO) * LANE_W)
                                       : {(OUT_LANES * LANE_W) {1'b1}};
    wire o_last = (ocf == FAW'(CFO - 1)) ? lastf[REMO-1] : lastf[OUT_LANES-1];

    // input lanes masked to the pixel's channels
    wire [IN_LANES*LANE_W-1:0] i_mask = (icf == FAW'(CFI - 1))
                                      ? {(IN_LANES * LANE_W) {1'b1}} >> ((IN_LANES - REMI) * LANE_W)
                                      : {(IN_LANES * LANE_W) {1'b1}};
    wire [BB-1:0]  buf1  = !pop ? buff
                         : (ocf == FAW'(CFO - 1)) ? buff >> (REMO * LANE_W) : buff >> (OUT_LANES * LANE_W);
    wire [BUF-1:0] last1 = !pop ? lastf
                         : (ocf == FAW'(CFO - 1)) ? lastf >> REMO : lastf >> OUT_LANES;
    wire [BB-1:0]  ins   = {{((BUF - IN_LANES) * LANE_W) {1'b0}}, s_axis_tdata & i_mask};
    wire [BUF-1:0] insl  = {{(BUF - 1) {1'b0}}, s_axis_tlast} << (in_amt - 1'b1);
    // lanes at and above cnt1 are zero in buf1, so OR-ing the shifted input is exact
    wire [BB-1:0]  buf2  = push ? buf1 | (ins << (cnt1 * LANE_W)) : buf1;
    wire [BUF-1:0] last2 = push ? last1 | (insl << cnt1) : last1;

    always @(posedge clk) begin
        if (rst) begin
            buff <= {BB{1'b0}};
            lastf <= {BUF{1'b0}};
            cnt <= 0;
            icf <= 0;
            ocf <= 0;
        end else begin
            buff  <= buf2;
            lastf <= last2;
            cnt   <= cnt1 + (push ? in_amt : {BAW{1'b0}});
            if (push) icf <= (icf == FAW'(CFI - 1)) ? {FAW{1'b0}} : icf + 1'b1;
            if (pop) ocf <= (ocf == FAW'(CFO - 1)) ? {FAW{1'b0}} : ocf + 1'b1;
        end
    end

    axis_register #(
        .DATA_W(OUT_LANES * LANE_W)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (full_o & o_mask),
        .s_axis_tlast (o_last),
        .s_axis_tvalid(o_valid),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
