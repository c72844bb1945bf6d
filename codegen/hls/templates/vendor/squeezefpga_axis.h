// One AXI4-Stream word with TLAST: Vitis HLS's ap_axiu when available, a
// plain stand-in with the same fields for g++ C simulation.
#ifndef SQUEEZEFPGA_AXIS_H_
#define SQUEEZEFPGA_AXIS_H_

#if defined(__SYNTHESIS__) || __has_include(<ap_axi_sdata.h>)
#include <ap_axi_sdata.h>
typedef ap_axiu<32, 0, 0, 0> axis_word;
#else
#include "ap_int.h"
struct axis_word {
    ap_uint<32> data;
    ap_uint<4> keep;
    ap_uint<4> strb;
    ap_uint<1> last;
};
#endif

#endif
