struct config{index} : nnet::quant_gap2d_config {{
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_filt};
    static const unsigned in_bits = {in_bits};
    static const bool in_signed = {in_signed};
    static const unsigned acc_bits = {acc_bits};
    static const unsigned num_bits = {num_bits};
    static const unsigned sh_num = {sh_num};
    static const unsigned sh_den = {sh_den};
    static const bool floor_mode = {floor_mode};
    static const long long qmin = {qmin};
    static const long long qmax = {qmax};
    static const unsigned out_bits = {out_bits};
}};
