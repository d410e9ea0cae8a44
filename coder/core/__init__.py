"""The domain: pure Python, never imports Qt."""
