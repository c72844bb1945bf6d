
    // ${layer}: ${doc}
    wire rst_${name};
    rst_pipe u_rst_${name} (.clk(clk), .rst_in(rst_q), .rst_out(rst_${name}));
    ${module} #(
${params}
    ) ${name} (
        .clk(clk), .rst(rst_${name}),
${ports}
    );
