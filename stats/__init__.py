"""The nightly statistics: coverage, compliance, ratings and warnings.

It reads every app and writes only its own result tables (CoverageSnapshot,
Rating, Alert). Nothing imports it except its task, its command and the pages
that show its results (DESIGN.md §7).
"""
