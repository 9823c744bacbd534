"""Repositories: SQLAlchemy rows in, domain objects out."""
