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
// Fast paths (constant shifts only, chosen by the generate block below):
//  - wide -> narrow (IN_LANES = k * OUT_LANES, C % IN_LANES == 0): an input
//    beat is loaded into a register and leaves as k slices of its low
//    OUT_LANES lanes, the register shifted right by OUT_LANES lanes per pop;
//    the next beat is accepted as the last slice leaves.  tlast comes out on
//    the last slice.
//  - narrow -> wide (OUT_LANES = k * IN_LANES, k >= 2, C % OUT_LANES == 0):
//    input beats shift into a register of (k-1) * IN_LANES lanes; the k-th
//    beat goes straight, with it, into the output register.  tlast is the
//    k-th beat's.
// Both keep the general path's tlast semantics (every beat is full, so the
// last lane of an input beat is the last lane of an output beat).
// Cycles: max(ceil(C/IN_LANES), ceil(C/OUT_LANES)) cycles per pixel in
// steady state (the slower side moves 1 beat/cycle).  Latency (first input
// beat to first output beat): general ceil(min(C, OUT_LANES)/IN_LANES) + 1,
// wide -> narrow 2, narrow -> wide k cycles.
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
    localparam integer FAW  = $clog2(((CFI > CFO) ? CFI : CFO) + 1);
    localparam integer BB   = BUF * LANE_W;
    localparam integer IW   = IN_LANES * LANE_W;
    localparam integer OW   = OUT_LANES * LANE_W;
    // fast paths: every beat full and one lane count a multiple of the other
    localparam         DOWN = (IN_LANES % OUT_LANES == 0) && (C % IN_LANES == 0);
    localparam         UP   = !DOWN && (OUT_LANES % IN_LANES == 0) && (C % OUT_LANES == 0);
    localparam integer KD   = IN_LANES / OUT_LANES;   // slices per input beat (DOWN)
    localparam integer KU   = OUT_LANES / IN_LANES;   // input beats per output beat (UP)
    localparam integer KW   = $clog2((DOWN ? KD : KU) + 1);

    generate
        if (LANE_W < 1 || C < 1 || IN_LANES < 1 || OUT_LANES < 1) begin : g_bad_size
            $fatal(1, "axis_lane_conv: all parameters must be >= 1");
        end
        if (IN_LANES > C || OUT_LANES > C) begin : g_bad_lanes
            $fatal(1, "axis_lane_conv: IN_LANES and OUT_LANES must be <= C");
        end
    endgenerate

    // general path: the lane count as a thermometer code x (x[j]: cnt >= j)
    // cnt >= j for any constant j
    function automatic ge(input [BUF:0] x, input integer j);
        ge = (j <= 0) ? 1'b1 : (j > BUF) ? 1'b0 : x[j];
    endfunction
    // cnt == j
    function automatic eq(input [BUF:0] x, input integer j);
        eq = ge(x, j) && !ge(x, j + 1);
    endfunction
    // the thermometer code of cnt + d
    function automatic [BUF-1:0] plus(input [BUF:0] x, input integer d);
        integer b;
        for (b = 0; b < BUF; b = b + 1) plus[b] = ge(x, b + 1 - d);
    endfunction

    // the output register slice, fed by the selected path
    wire [OW-1:0] r_data;
    wire          r_last;
    wire          r_valid;
    wire          out_ready;   // a flop (the slice's skid flag)

    generate
    if (DOWN) begin : g_down
        reg  [IW-1:0]  sh;     // the input beat, its next slice in the low lanes
        reg            shl;    // its tlast
        reg            full;   // a slice is waiting
        reg            rdy;    // empty, or the waiting slice is the beat's last
        reg  [KW-1:0]  sl;     // slices already sent of this beat
        // kept copies of full and rdy for the data register's enable and select:
        // the control flags' handshake gate then drives only the flags, and the
        // data's enable gate (hundreds of flop enables) starts at flops of its
        // own, not at a gate shared with the flags that nextpnr places between
        reg            full_d;
        reg            rdy_d;
        wire           pop   = full && out_ready;
        assign s_axis_tready = rdy && (!full || out_ready);
        wire           push  = s_axis_tvalid && s_axis_tready;
        // the data register's enable has no s_axis_tvalid term: with rdy set
        // and the slice leaving (or none waiting) it loads the input lanes
        // whether they are valid or not; without a push full clears, so an
        // invalid beat is never sent.  (rdy clear means a slice waits: full.)
        // So the upstream valid, placed in another module, drives only the
        // two flag pairs, not the data's enables.
        wire           en_d  = out_ready || (rdy_d && !full_d);
        assign r_data  = sh[OW-1:0];
        assign r_last  = shl && rdy;
        assign r_valid = full;
        wire           full_nx = push ? 1'b1 : (pop && rdy) ? 1'b0 : full;
        wire           rdy_nx  = push ? (KD == 1) : (pop && !rdy) ? (sl == KW'(KD - 2)) : rdy;
        (* keep *) always @(posedge clk) begin   // kept, as the copies are (no merge)
            full <= !rst && full_nx;
            rdy  <= rst || rdy_nx;
        end
        (* keep *) always @(posedge clk) begin
            full_d <= !rst && full_nx;
            rdy_d  <= rst || rdy_nx;
        end
        always @(posedge clk) begin
            if (rst) sl <= {KW{1'b0}};
            else if (push) sl <= {KW{1'b0}};
            else if (pop && !rdy) sl <= sl + 1'b1;
            // the data multiplexer is selected by the flop rdy_d alone (a LUT per
            // bit): with rdy set an enabled cycle loads the input lanes (a don't
            // care unless pushed, as full then clears or stays clear)
            if (en_d) begin
                sh <= rdy_d ? s_axis_tdata : sh >> OW;
                shl <= rdy_d ? s_axis_tlast : shl;
            end
        end
    end else if (UP) begin : g_up
        reg  [OW-IW-1:0] acc;   // the first k-1 beats, the newest in the top lanes
        reg  [KW-1:0]    nb;    // beats in acc
        wire             b_end = (nb == KW'(KU - 1));
        // the k-th beat goes straight into the output register with acc
        assign s_axis_tready = !b_end || out_ready;
        wire             push  = s_axis_tvalid && s_axis_tready;
        wire [OW-1:0]    word  = {s_axis_tdata, acc};
        assign r_data  = word;
        assign r_last  = s_axis_tlast;
        assign r_valid = s_axis_tvalid && b_end;
        always @(posedge clk) begin
            if (rst) nb <= {KW{1'b0}};
            else if (push) nb <= b_end ? {KW{1'b0}} : nb + 1'b1;
            if (push) acc <= word[OW-1:IW];   // a constant shift by IN_LANES lanes
        end
    end else begin : g_general
        reg  [BB-1:0]   buff;
        reg  [BUF-1:0]  lastf;   // tlast marker per buffered lane
        reg  [BUF-1:0]  th;      // lanes buffered, thermometer coded: th[j] = (cnt > j)
        reg  [FAW-1:0]  icf;
        reg  [FAW-1:0]  ocf;

        wire           i_end   = (icf == FAW'(CFI - 1));  // a pixel's last input beat
        wire           o_end   = (ocf == FAW'(CFO - 1));  // a pixel's last output beat
        // the lane count as a thermometer code: every comparison with a constant
        // is one bit of it, every update a constant shift (no carry chain)
        wire [BUF:0]   thx     = {th, 1'b1};                  // thx[j]: cnt >= j
        wire           o_valid = o_end ? ge(thx, REMO) : ge(thx, OUT_LANES);
        wire           pop     = o_valid && out_ready;
        // out_ready is a flop (the register slice's skid flag), so counting this
        // cycle's pop in tready adds no path from m_axis_tready to s_axis_tready;
        // room for IN_LANES lanes: cnt1 <= BUF - IN_LANES = OUT_LANES
        wire           room_np = !ge(thx, OUT_LANES + 1);
        wire           room_p  = o_end ? !ge(thx, OUT_LANES + REMO + 1) : !ge(thx, 2 * OUT_LANES + 1);
        assign s_axis_tready   = pop ? room_p : room_np;
        wire           push    = s_axis_tvalid && s_axis_tready;

        // output beat: the first out_amt lanes, the rest zero
        wire [OUT_LANES*LANE_W-1:0] full_o = buff[OUT_LANES*LANE_W-1:0];
        wire [OUT_LANES*LANE_W-1:0] o_mask = o_end
                                           ? {(OUT_LANES * LANE_W) {1'b1}} >> ((OUT_LANES - REMO) * LANE_W)
                                           : {(OUT_LANES * LANE_W) {1'b1}};
        wire o_last = o_end ? lastf[REMO-1] : lastf[OUT_LANES-1];

        // buffer after this cycle's pop: a constant shift by OUT_LANES or REMO lanes
        wire [BB-1:0]  buf1  = !pop ? buff : o_end ? buff >> (REMO * LANE_W) : buff >> (OUT_LANES * LANE_W);
        wire [BUF-1:0] last1 = !pop ? lastf : o_end ? lastf >> REMO : lastf >> OUT_LANES;

        // the first free lane after the pop (cnt1 = cnt - popped lanes), one-hot,
        // decoded from the flops for both pop outcomes (no arithmetic on the data
        // path, no shift by a variable multiple of LANE_W)
        wire [BUF-1:0] at_np;    // at_np[p]: cnt == p
        wire [BUF-1:0] at_p;     // at_p[p]:  cnt - out_amt == p
        wire [BUF-1:0] at1 = pop ? at_p : at_np;
        genvar j;
        for (j = 0; j < BUF; j = j + 1) begin : g_pos
            assign at_np[j] = eq(thx, j);
            assign at_p[j]  = o_end ? eq(thx, j + REMO) : eq(thx, j + OUT_LANES);
        end
        // input lane k lands on buffer lane j when cnt1 == j - k (an AND-OR mux
        // per lane); lanes past the pixel's channels (k >= REMI on its last beat)
        // are dropped; the beat's tlast marks the lane of its last channel
        reg [BB-1:0]  ins;
        reg [BUF-1:0] insl;
        integer q, k;
        always @* begin
            ins  = {BB{1'b0}};
            insl = {BUF{1'b0}};
            for (q = 0; q < BUF; q = q + 1)
                for (k = 0; k < IN_LANES && k <= q; k = k + 1)
                    if (at1[q-k]) begin
                        if (k < REMI || !i_end)
                            ins[q*LANE_W +: LANE_W] = ins[q*LANE_W +: LANE_W] | s_axis_tdata[k*LANE_W +: LANE_W];
                        if (i_end ? (k == REMI - 1) : (k == IN_LANES - 1))
                            insl[q] = s_axis_tlast;
                    end
        end
        // lanes at and above cnt1 are zero in buf1, so OR-ing the input lanes is exact
        wire [BB-1:0]  buf2  = push ? buf1 | ins : buf1;
        wire [BUF-1:0] last2 = push ? last1 | insl : last1;

        always @(posedge clk) begin
            if (rst) begin
                buff <= {BB{1'b0}};
                lastf <= {BUF{1'b0}};
                th <= {BUF{1'b0}};
                icf <= 0;
                ocf <= 0;
            end else begin
                buff  <= buf2;
                lastf <= last2;
                casez ({pop, o_end, push, i_end})
                    4'b0?10: th <= plus(thx, IN_LANES);
                    4'b0?11: th <= plus(thx, REMI);
                    4'b100?: th <= plus(thx, -OUT_LANES);
                    4'b110?: th <= plus(thx, -REMO);
                    4'b1010: th <= plus(thx, IN_LANES - OUT_LANES);
                    4'b1011: th <= plus(thx, REMI - OUT_LANES);
                    4'b1110: th <= plus(thx, IN_LANES - REMO);
                    4'b1111: th <= plus(thx, REMI - REMO);
                    default: th <= th;   // neither pop nor push
                endcase
                if (push) icf <= i_end ? {FAW{1'b0}} : icf + 1'b1;
                if (pop) ocf <= o_end ? {FAW{1'b0}} : ocf + 1'b1;
            end
        end

        assign r_data  = full_o & o_mask;
        assign r_last  = o_last;
        assign r_valid = o_valid;
    end
    endgenerate

    axis_register #(
        .DATA_W(OW)
    ) u_out (
        .clk          (clk),
        .rst          (rst),
        .s_axis_tdata (r_data),
        .s_axis_tlast (r_last),
        .s_axis_tvalid(r_valid),
        .s_axis_tready(out_ready),
        .m_axis_tdata (m_axis_tdata),
        .m_axis_tlast (m_axis_tlast),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
endmodule

`default_nettype wire
