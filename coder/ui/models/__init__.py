"""Item models: QAbstractItemModel adapters over the core's dataclasses (no data of their own)."""
