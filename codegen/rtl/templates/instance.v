
    // ${layer}: ${doc}
    ${module} #(
${params}
    ) ${name} (
        .clk(clk), .rst(rst),
${ports}
    );
