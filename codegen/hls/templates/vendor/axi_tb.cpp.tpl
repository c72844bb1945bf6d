// Testbench of the AXI wrapper (Vitis HLS csim/cosim, or g++): reads frames of
// @{n_in} integer codes from tb_axi_in.txt, writes @{n_out} codes per frame to
// tb_axi_out.txt; fails if TLAST is not exactly on the last word.
#include <cstdio>
#include <fstream>
#include "squeezefpga_axis.h"
#include "hls_stream.h"

void @{axi_top}(hls::stream<axis_word> &s_axis, hls::stream<axis_word> &m_axis);

int main(int argc, char **argv) {
    std::ifstream in(argc > 1 ? argv[1] : "tb_axi_in.txt");
    std::ofstream out(argc > 2 ? argv[2] : "tb_axi_out.txt");
    long long v;
    int frames = 0;
    while (in >> v) {
        hls::stream<axis_word> s, m;
        for (unsigned i = 0; i < @{n_in}; i++) {
            if (i > 0 && !(in >> v)) {
                std::fprintf(stderr, "truncated frame %d\n", frames);
                return 2;
            }
            axis_word w;
            w.data = (unsigned)v;
            w.keep = -1;
            w.strb = -1;
            w.last = (i == @{n_in} - 1);
            s.write(w);
        }
        @{axi_top}(s, m);
        for (unsigned i = 0; i < @{n_out}; i++) {
            axis_word w = m.read();
            if ((w.last == 1) != (i == @{n_out} - 1)) {
                std::fprintf(stderr, "frame %d word %u: wrong TLAST\n", frames, i);
                return 1;
            }
            out << ap_int<32>(w.data).to_int() << (i == @{n_out} - 1 ? "\n" : " ");
        }
        frames++;
    }
    std::printf("%d frames\n", frames);
    return 0;
}
