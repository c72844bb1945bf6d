"""Co-simulation checkers that need codegen and sim together: importing a module
registers its checker with ``squeezefpga.sim.golden.cosim``."""
