"""One module per ``squeezefpga`` subcommand (see squeezefpga/cli/__init__.py)."""
