    wire [${width}-1:0] ${s}_tdata /*verilator public_flat_rd*/;  wire ${s}_tlast;  wire ${s}_tvalid /*verilator public_flat_rd*/;  wire ${s}_tready /*verilator public_flat_rd*/;  // ${doc}
