"""Committed trained models as package data: importlib.resources.files(__name__)."""
