"""Screens of the reading room."""
