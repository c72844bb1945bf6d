"""Network presets (TOML) as package data: importlib.resources.files(__name__)."""
