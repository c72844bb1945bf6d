"""``python -m squeezefpga``: the same command line as the ``squeezefpga`` script."""
import sys

from squeezefpga.cli import main

sys.exit(main())
