"""Migration scripts, oldest first (``0001_initial``, ``0002_append_only_audit``, ...).

Each is an Alembic revision; never edit one that has shipped, add a new one.
"""
