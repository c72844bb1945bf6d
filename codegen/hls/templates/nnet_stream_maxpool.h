// Streaming 2D max-pool for any kernel, stride, padding and ceil_mode
// (ONNX/torch semantics: padding never wins, a ceil-mode window is clipped
// to the input).  Channels-last stream, one pixel (n_chan values) per word.
// Keeps the last pool_height input rows; an output row is written as soon as
// the last input row it needs has arrived.
#ifndef NNET_STREAM_MAXPOOL_H_
#define NNET_STREAM_MAXPOOL_H_

#include "hls_stream.h"
#include "nnet_common.h"

namespace nnet {

struct stream_maxpool2d_config {
    static const unsigned in_height = 1, in_width = 1, n_chan = 1;
    static const unsigned pool_height = 1, pool_width = 1, stride_height = 1, stride_width = 1;
    static const unsigned pad_top = 0, pad_left = 0;
    static const unsigned out_height = 1, out_width = 1;
};

template <class data_T, class res_T, typename CONFIG_T>
void stream_maxpool_2d(hls::stream<data_T> &data, hls::stream<res_T> &res) {
    static_assert(data_T::size == CONFIG_T::n_chan, "one pixel per stream word");
    static_assert(res_T::size == CONFIG_T::n_chan, "one pixel per stream word");
    typedef typename data_T::value_type T;
    const int H = CONFIG_T::in_height, W = CONFIG_T::in_width, K = CONFIG_T::pool_height;
    T rows[CONFIG_T::pool_height][CONFIG_T::in_width][CONFIG_T::n_chan];

ReadRow:
    for (int r = 0; r < H; r++) {
    ReadPixel:
        for (int c = 0; c < W; c++) {
            #pragma HLS PIPELINE
            data_T in = data.read();
            for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++) {
                #pragma HLS UNROLL
                rows[r % K][c][ch] = in[ch];
            }
        }
    WriteRows:
        for (int oh = 0; oh < (int)CONFIG_T::out_height; oh++) {
            int r0 = oh * (int)CONFIG_T::stride_height - (int)CONFIG_T::pad_top;
            int r1 = r0 + K - 1 < H - 1 ? r0 + K - 1 : H - 1;
            if (r1 != r)
                continue;
            if (r0 < 0)
                r0 = 0;
        WritePixel:
            for (int ow = 0; ow < (int)CONFIG_T::out_width; ow++) {
                int c0 = ow * (int)CONFIG_T::stride_width - (int)CONFIG_T::pad_left;
                int c1 = c0 + (int)CONFIG_T::pool_width - 1 < W - 1 ? c0 + (int)CONFIG_T::pool_width - 1 : W - 1;
                if (c0 < 0)
                    c0 = 0;
                res_T out;
                for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++) {
                    T m = rows[r0 % K][c0][ch];
                    for (int i = r0; i <= r1; i++)
                        for (int j = c0; j <= c1; j++)
                            if (rows[i % K][j][ch] > m)
                                m = rows[i % K][j][ch];
                    out[ch] = m;
                }
                res.write(out);
            }
        }
    }
}

} // namespace nnet

#endif
