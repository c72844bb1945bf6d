// Global average pool fused with the quantizer it feeds, exact:
// q = sat(round(sum_hw(x) / (H*W) * 2^(e_in - e_out))) with one exact integer
// division (round half to even, or floor), never a rounded mean.
// Channels-last stream in (one pixel per word), one word of n_chan out.
#ifndef NNET_QUANT_GAP_H_
#define NNET_QUANT_GAP_H_

#include "ap_int.h"
#include "hls_stream.h"
#include "nnet_common.h"

namespace nnet {

struct quant_gap2d_config {
    static const unsigned in_height = 1, in_width = 1, n_chan = 1;
    static const unsigned in_bits = 8;  // raw width of the input fixed-point type
    static const bool in_signed = false;
    static const unsigned acc_bits = 16, num_bits = 16;
    static const unsigned sh_num = 0, sh_den = 0;  // num = sum << sh_num, den = H*W << sh_den
    static const bool floor_mode = false;
    static const long long qmin = 0, qmax = 255;
    static const unsigned out_bits = 8;  // raw width of the output fixed-point type
};

template <class T, int W, bool S> struct raw_code {};
template <class T, int W> struct raw_code<T, W, true> {
    static ap_int<W> get(T v) {
        ap_int<W> c;
        c.range(W - 1, 0) = v.range(W - 1, 0);
        return c;
    }
};
template <class T, int W> struct raw_code<T, W, false> {
    static ap_uint<W> get(T v) {
        ap_uint<W> c;
        c.range(W - 1, 0) = v.range(W - 1, 0);
        return c;
    }
};

template <class data_T, class res_T, typename CONFIG_T>
void quant_global_avgpool_2d(hls::stream<data_T> &data, hls::stream<res_T> &res) {
    static_assert(data_T::size == CONFIG_T::n_chan, "one pixel per stream word");
    typedef typename data_T::value_type in_T;
    typedef typename res_T::value_type out_T;
    ap_int<CONFIG_T::acc_bits> sum[CONFIG_T::n_chan];
    for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++)
        sum[ch] = 0;
Accumulate:
    for (unsigned i = 0; i < CONFIG_T::in_height * CONFIG_T::in_width; i++) {
        #pragma HLS PIPELINE
        data_T in = data.read();
        for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++) {
            #pragma HLS UNROLL
            sum[ch] += raw_code<in_T, CONFIG_T::in_bits, CONFIG_T::in_signed>::get(in[ch]);
        }
    }
    const ap_int<CONFIG_T::num_bits> den =
        ap_int<CONFIG_T::num_bits>(CONFIG_T::in_height * CONFIG_T::in_width) << CONFIG_T::sh_den;
    res_T out;
Divide:
    for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++) {
        ap_int<CONFIG_T::num_bits> num = ap_int<CONFIG_T::num_bits>(sum[ch]) << CONFIG_T::sh_num;
        ap_int<CONFIG_T::num_bits> q = num / den, r = num % den;  // truncating
        if (r < 0) {                                               // -> floor
            q -= 1;
            r += den;
        }
        if (!CONFIG_T::floor_mode && (2 * r > den || (2 * r == den && q[0] == 1)))
            q += 1;                                                // half to even
        if (q < CONFIG_T::qmin)
            q = CONFIG_T::qmin;
        if (q > CONFIG_T::qmax)
            q = CONFIG_T::qmax;
        out_T y;
        y.range(CONFIG_T::out_bits - 1, 0) = q.range(CONFIG_T::out_bits - 1, 0);
        out[ch] = y;
    }
    res.write(out);
}

} // namespace nnet

#endif
