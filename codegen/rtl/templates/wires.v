    wire [${width}-1:0] ${s}_tdata;  wire ${s}_tlast, ${s}_tvalid, ${s}_tready;  // ${doc}
