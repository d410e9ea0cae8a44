"""Feature modules: each registers its menu actions with ``coder.ui.actions.action``."""
