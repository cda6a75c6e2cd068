"""Benchmarks of the course library, run by ``make bench`` (``python -m benchmarks``).

Each module measures one part and returns a section of ``benchmarks/results.json``;
:mod:`benchmarks.__main__` merges the sections into the file (sections written by
other benchmarks are kept) and prints a table. Timings are never asserted in tests.
"""
