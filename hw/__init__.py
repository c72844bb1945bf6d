"""The Verilog library (one module per .v file) as package data: read it with importlib.resources.files(__name__)."""
