"""Shared code of the staff tools: the conversation runner, story export, report and benchmarks.

The entry points are the scripts beside this package (scripts/conversations.py, bench.py, ...);
they put scripts/ on sys.path, so `import stafftools` works without installing anything.
"""
