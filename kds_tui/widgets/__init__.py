"""The kitchen display's widgets, one family per module."""
