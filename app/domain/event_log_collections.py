"""CRUD registry entries of the tasks area (being built)."""
