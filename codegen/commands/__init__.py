"""One module per ``squeezefpga`` subcommand (see codegen/cli.py)."""
