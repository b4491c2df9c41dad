"""CRUD registry entries of the production area (being built)."""
