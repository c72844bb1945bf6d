
## Verilog RTL (no HLS)

`rtl/`: the network `@{net_top}` (hw/ library, weight ROMs in `rtl/mem/`,
@{cycles} cycles per frame, @{multipliers} multipliers) inside
`@{rtl_top}` (rtl/@{rtl_top}.v): axis_dma_rx / axis_dma_tx adapt the DMA's
@{dma_width}-bit stream to the network's.  `rtl/axis_top.f` lists its
Verilog files in elaboration order.  The block design takes it as a module
reference; the script adds every Verilog and memory file.

    vivado -mode batch -source vivado/rtl_block_design.tcl
    # -> vivado/rtl_output/squeezefpga.bit and vivado/rtl_output/squeezefpga.hwh
