    // reset: the pin registered once (rst_q), then one rst_pipe flop per
    // instance, so no net fans out to the whole design; the ports are held
    // off until every instance is out of reset (2 cycles after the pin); one
    // port_on flop per port, kept apart (yosys' opt_merge skips kept cells), so
    // neither runs across the die to the other port's slice
    reg rst_q;
    reg port_on_in;
    reg port_on_out;
    always @(posedge clk) rst_q <= rst;
    (* keep *) always @(posedge clk) port_on_in <= !(rst || rst_q);
    (* keep *) always @(posedge clk) port_on_out <= !(rst || rst_q);
    // ports: one register slice each way (hw/axis_register, +1 cycle each), so
    // no path runs from a pin's logic into the network's (on ECP5 the ready
    // gate placed at the pin was reused by the first FIFO's push)
    wire rst_ports;
    rst_pipe u_rst_ports (.clk(clk), .rst_in(rst_q), .rst_out(rst_ports));
    wire ${i}_in_tready;
    axis_register #(.DATA_W(${in_w})) u_in_reg (
        .clk(clk), .rst(rst_ports),
        .s_axis_tdata(s_axis_tdata), .s_axis_tlast(s_axis_tlast),
        .s_axis_tvalid(s_axis_tvalid && port_on_in), .s_axis_tready(${i}_in_tready),
        .m_axis_tdata(${i}_tdata), .m_axis_tlast(${i}_tlast),
        .m_axis_tvalid(${i}_tvalid), .m_axis_tready(${i}_tready));
    assign s_axis_tready = ${i}_in_tready && port_on_in;
    wire ${o}_out_tvalid;
    axis_register #(.DATA_W(${out_w})) u_out_reg (
        .clk(clk), .rst(rst_ports),
        .s_axis_tdata(${o}_tdata), .s_axis_tlast(${o}_tlast),
        .s_axis_tvalid(${o}_tvalid), .s_axis_tready(${o}_tready),
        .m_axis_tdata(m_axis_tdata), .m_axis_tlast(m_axis_tlast),
        .m_axis_tvalid(${o}_out_tvalid), .m_axis_tready(m_axis_tready && port_on_out));
    assign m_axis_tvalid = ${o}_out_tvalid && port_on_out;
