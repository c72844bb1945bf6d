        .${p}_tdata(${s}_tdata), .${p}_tlast(${s}_tlast), .${p}_tvalid(${s}_tvalid), .${p}_tready(${s}_tready)
