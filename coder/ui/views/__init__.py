"""Dock widgets and views of the main window."""
