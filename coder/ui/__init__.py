"""The desktop window: every Qt import lives under this package."""
