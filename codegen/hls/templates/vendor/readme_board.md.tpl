
## Run on the board (PYNQ image)

    scp OUTPUT/squeezefpga.bit OUTPUT/squeezefpga.hwh \
        driver/squeezefpga_driver.py driver/squeezefpga_board.json xilinx@@BOARD:squeezefpga/
    scp X.npy xilinx@@BOARD:squeezefpga/
    ssh xilinx@@BOARD 'cd squeezefpga && sudo python3 squeezefpga_driver.py --inputs X.npy --out y.npy'

OUTPUT is the folder of the bitstream built above (vivado/output for the
hls4ml design, vivado/rtl_output for the RTL).  `X.npy` holds raw pixel frames,
N x @{in_chw} (float32 or uint8), as the QONNX model takes them; `y.npy` the
@{n_out} outputs per frame, equal to `squeezefpga golden MODEL.onnx --inputs
X.npy` exactly.

## Stream format

In: @{n_in} 32-bit words per frame, one per input value in NHWC order (raw
@{in_bits}-bit code in the low bits).  Out: @{n_out} 32-bit words, the code of
each output @{out_ext} (value = code * 2^@{out_exp}), TLAST on the
last.  One DMA transfer per frame.  Clock: the PS clock (@{clock_period} ns).
