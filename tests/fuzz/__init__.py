"""Fuzz targets, one per parser; ``make fuzz`` runs them (see run.py)."""
