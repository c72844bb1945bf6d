    // reset: the pin registered once (rst_q), then one rst_pipe flop per
    // instance, so no net fans out to the whole design; the ports are held
    // off until every instance is out of reset (2 cycles after the pin)
    reg rst_q;
    reg port_on;
    always @(posedge clk) begin
        rst_q   <= rst;
        port_on <= !(rst || rst_q);
    end
    assign ${i}_tdata = s_axis_tdata;  assign ${i}_tlast = s_axis_tlast;
    assign ${i}_tvalid = s_axis_tvalid && port_on;  assign s_axis_tready = ${i}_tready && port_on;
    assign m_axis_tdata = ${o}_tdata;  assign m_axis_tlast = ${o}_tlast;
    assign m_axis_tvalid = ${o}_tvalid && port_on;  assign ${o}_tready = m_axis_tready && port_on;
