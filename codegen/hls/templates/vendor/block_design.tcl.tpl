create_bd_design design_1

set ps [create_bd_cell -type ip -vlnv @{ps_vlnv} ps]
apply_bd_automation -rule @{ps_rule} -config {@{ps_auto}} $ps
set_property -dict [list @{ps_hp_enable} {1}] $ps

set dma [create_bd_cell -type ip -vlnv xilinx.com:ip:axi_dma:7.1 dma]
set_property -dict [list CONFIG.c_include_sg {0} CONFIG.c_sg_length_width {23} \
    CONFIG.c_m_axi_mm2s_data_width {@{dma_width}} CONFIG.c_m_axi_s2mm_data_width {@{dma_width}} \
    CONFIG.c_m_axis_mm2s_tdata_width {@{dma_width}} CONFIG.c_s_axis_s2mm_tdata_width {@{dma_width}} \
    CONFIG.c_mm2s_burst_size {16} CONFIG.c_s2mm_burst_size {16}] $dma

set net [create_bd_cell @{cell_create} @{cell}]
connect_bd_intf_net [get_bd_intf_pins dma/M_AXIS_MM2S] [get_bd_intf_pins @{cell}/s_axis]
connect_bd_intf_net [get_bd_intf_pins @{cell}/m_axis] [get_bd_intf_pins dma/S_AXIS_S2MM]

apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list Master /ps/@{ps_master} Clk Auto] \
    [get_bd_intf_pins dma/S_AXI_LITE]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list Slave /ps/@{ps_slave} Clk Auto] \
    [get_bd_intf_pins dma/M_AXI_MM2S]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list Slave /ps/@{ps_slave} Clk Auto] \
    [get_bd_intf_pins dma/M_AXI_S2MM]
apply_bd_automation -rule xilinx.com:bd_rule:clkrst -config [list Clk /ps/@{ps_clk}] \
    [get_bd_pins @{cell}/@{cell_clk}]

validate_bd_design
save_bd_design
set wrapper [make_wrapper -files [get_files design_1.bd] -top]
add_files -norecurse $wrapper
set_property top design_1_wrapper [current_fileset]

launch_runs impl_1 -to_step write_bitstream -jobs 4
wait_on_run impl_1
if {[get_property PROGRESS [get_runs impl_1]] != "100%"} {
    error "implementation failed"
}
file mkdir $out_dir
set run_dir [get_property DIRECTORY [get_runs impl_1]]
file copy -force [file join $run_dir design_1_wrapper.bit] [file join $out_dir squeezefpga.bit]
file copy -force [lindex [get_files -all design_1.hwh] 0] [file join $out_dir squeezefpga.hwh]
puts "bitstream: [file join $out_dir squeezefpga.bit]"
