"""Test kit: fakes and fault machinery used only by tests and scripts/fault_table.py (not shipped)."""
