"""Storage: SQLAlchemy models, engine factory, migrations. Imports no Qt."""
