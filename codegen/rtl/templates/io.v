    assign ${i}_tdata = s_axis_tdata;  assign ${i}_tlast = s_axis_tlast;
    assign ${i}_tvalid = s_axis_tvalid;  assign s_axis_tready = ${i}_tready;
    assign m_axis_tdata = ${o}_tdata;  assign m_axis_tlast = ${o}_tlast;
    assign m_axis_tvalid = ${o}_tvalid;  assign ${o}_tready = m_axis_tready;
