
## hls4ml IP (Vitis HLS)

hls4ml (Vitis backend, io_stream) project of the network, top `@{top}`
(ReuseFactors in hls4ml_config.yml); an AXI4-Stream wrapper `@{axi_top}` for
the DMA.

1. Network IP (hls4ml scripts):

       vitis_hls -f build_prj.tcl        # csynth + IP export of @{top} (build_opt.tcl: synth, export)

2. AXI-Stream IP for the DMA:

       vitis_hls -f vivado/hls_axi.tcl   # csynth of @{axi_top}, IP @{ip_vlnv} in @{axi_top}_prj/solution1/impl/ip

3. Bitstream:

       vivado -mode batch -source vivado/block_design.tcl
       # -> vivado/output/squeezefpga.bit and vivado/output/squeezefpga.hwh
