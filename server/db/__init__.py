"""Persistence: tables, the engine, and the unit of work the order service writes through."""
