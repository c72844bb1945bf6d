# Stub environment for running vendor Tcl under plain tclsh: every command
# tclsh does not know is recorded (one line per call in $::stub_log) instead
# of executed; a few answer what the scripts need.  Arguments are separated by
# the ASCII unit separator so Python reads them back without a Tcl parser.
set ::stub_fh [open $::env(STUB_LOG) w]
proc stub_record {args} { puts $::stub_fh [join $args "\x1f"]; flush $::stub_fh }
proc unknown {args} { stub_record {*}$args; return "" }
proc get_property {name args} {
    stub_record get_property $name {*}$args
    switch -- $name {
        PROGRESS { return "100%" }
        DIRECTORY { return $::env(STUB_RUN_DIR) }
        default { return "" }
    }
}
proc get_files {args} {
    stub_record get_files {*}$args
    if {[lsearch $args "*.hwh"] >= 0} { return [list [file join $::env(STUB_RUN_DIR) design_1.hwh]] }
    return [lindex $args end]
}
proc get_bd_intf_pins {args} { stub_record get_bd_intf_pins {*}$args; return [lindex $args end] }
proc get_bd_pins {args} { stub_record get_bd_pins {*}$args; return [lindex $args end] }
proc create_bd_cell {args} { stub_record create_bd_cell {*}$args; return [lindex $args end] }
proc make_wrapper {args} { stub_record make_wrapper {*}$args; return "design_1_wrapper.v" }
