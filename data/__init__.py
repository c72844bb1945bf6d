"""Shipped test images as package data: importlib.resources.files(__name__)."""
