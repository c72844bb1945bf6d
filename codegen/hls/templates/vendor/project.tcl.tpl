# Vivado: block design for @{board} (@{part}): @{ps_name} PS, AXI DMA (simple mode,
# @{dma_width}-bit streams) -> @{cell} (@{cell_what}) -> DMA, bitstream and .hwh into
# @{out_dir}/.   Run from the build directory@{run_after}:
#     vivado -mode batch -source @{script}
set part "@{part}"
set board_part "@{board_part}"
set out_dir "@{out_dir}"

create_project @{prj_name} @{prj_dir} -part $part -force
if {[lsearch [get_board_parts] $board_part] >= 0} {
    set_property board_part $board_part [current_project]
}
