"""Everything that puts papers in: sources, normalisation, the DuckDB store."""
