"""Benchmarks, run on demand with ``python -m bench [names...]`` (never by pytest).

Each benchmark starts the servers it measures and its load generators as separate processes,
repeats its measurement window, writes JSON to ``bench/results/`` and prints a table.
"""
