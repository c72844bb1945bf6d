    wire unused_${s}_tuser;  // window_gen padding flag: a convolution multiplies the zeros
