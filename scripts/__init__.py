"""Scripts that build tieline's data tables, its corpus reports and its learned model.

Run each as a module from the repository root, e.g. ``python -m scripts.build_tables``.
"""
