
# The RTL: the hw/ library and the network as SystemVerilog (the library uses
# SV casts), the wrapper @{rtl_top} as Verilog (a module reference's top file).
# The network top is read from a copy whose $readmemh files are named by
# absolute path (synthesis runs elsewhere); the ROM files are added as well.
set rtl_dir [file normalize rtl]
set src_dir [file normalize vivado/rtl_src]
file mkdir $src_dir
set fh [open [file join $rtl_dir @{net_top}.v] r]
set net_text [read $fh]
close $fh
set fh [open [file join $src_dir @{net_top}.v] w]
puts -nonewline $fh [string map [list "\"mem/" "\"$rtl_dir/mem/"] $net_text]
close $fh

set sv_files [list]
foreach f {@{lib_files}} {
    lappend sv_files [file join $rtl_dir $f]
}
lappend sv_files [file join $src_dir @{net_top}.v]
add_files -norecurse -fileset sources_1 $sv_files
set_property file_type SystemVerilog [get_files $sv_files]

set top_file [file join $rtl_dir @{rtl_top}.v]
add_files -norecurse -fileset sources_1 $top_file
set_property file_type Verilog [get_files $top_file]

set mem_files [list]
foreach f {@{mem_files}} {
    lappend mem_files [file join $rtl_dir $f]
}
add_files -norecurse -fileset sources_1 $mem_files
set_property file_type {Memory Initialization Files} [get_files $mem_files]
update_compile_order -fileset sources_1
