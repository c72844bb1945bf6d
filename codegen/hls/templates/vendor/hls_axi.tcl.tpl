# Vitis HLS: synthesize the AXI4-Stream wrapper (@{axi_top}) around the hls4ml
# network (@{top}) and export it as an IP (@{ip_vlnv}).
# Run from the build directory:  vitis_hls -f vivado/hls_axi.tcl
set part "@{part}"
set top "@{axi_top}"
set cflags "-std=c++14 -Ifirmware -Ifirmware/nnet_utils -Ivivado"
open_project -reset ${top}_prj
set_top $top
add_files firmware/@{top}.cpp -cflags $cflags
add_files vivado/axi_top.cpp -cflags $cflags
add_files -tb vivado/axi_tb.cpp -cflags $cflags
add_files -tb firmware/weights
open_solution -reset solution1 -flow_target vivado
set_part $part
create_clock -period @{clock_period} -name default
config_compile -name_max_length 80
csynth_design
export_design -format ip_catalog -vendor @{ip_vendor} -library @{ip_library} -ipname $top -version @{ip_version}
