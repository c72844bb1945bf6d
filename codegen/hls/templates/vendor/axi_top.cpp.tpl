// AXI4-Stream wrapper of the hls4ml network for an AXI DMA.
// In:  one 32-bit word per input value, NHWC order, raw code in the low
//      @{in_bits} bits (@{n_in} words per frame).
// Out: one 32-bit word per output value, the raw code sign-extended (value =
//      code * 2^@{out_exp}), TLAST on the last of @{n_out} words.
#include "myproject.h"
#include "squeezefpga_axis.h"

static void sqz_read(hls::stream<axis_word> &s_axis, hls::stream<input_t> &x) {
ReadPixels:
    for (unsigned p = 0; p < @{n_pixels}; p++) {
        input_t px;
        for (unsigned c = 0; c < @{n_chan}; c++) {
            #pragma HLS PIPELINE II=1
            axis_word w = s_axis.read();
            typename input_t::value_type v;
            v.range(@{in_bits} - 1, 0) = w.data.range(@{in_bits} - 1, 0);
            px[c] = v;
        }
        x.write(px);
    }
}

static void sqz_write(hls::stream<result_t> &y, hls::stream<axis_word> &m_axis) {
    result_t r = y.read();
WriteOutputs:
    for (unsigned i = 0; i < @{n_out}; i++) {
        #pragma HLS PIPELINE II=1
        @{code_type} code;
        code.range(@{out_bits} - 1, 0) = r[i].range(@{out_bits} - 1, 0);
        axis_word w;
        w.data = ap_int<32>(code);
        w.keep = -1;
        w.strb = -1;
        w.last = (i == @{n_out} - 1);
        m_axis.write(w);
    }
}

void @{axi_top}(hls::stream<axis_word> &s_axis, hls::stream<axis_word> &m_axis) {
    #pragma HLS INTERFACE axis port=s_axis
    #pragma HLS INTERFACE axis port=m_axis
    #pragma HLS INTERFACE ap_ctrl_none port=return
    #pragma HLS DATAFLOW
    hls::stream<input_t> x("x");
    hls::stream<result_t> y("y");
    sqz_read(s_axis, x);
    @{top}(x, y);
    sqz_write(y, m_axis);
}
