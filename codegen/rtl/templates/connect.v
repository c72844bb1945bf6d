
    // ${layer}: ${doc}
    assign ${o}_tdata = ${i}_tdata;  assign ${o}_tlast = ${i}_tlast;
    assign ${o}_tvalid = ${i}_tvalid;  assign ${i}_tready = ${o}_tready;
