"""Pipeline steps: each reads what earlier steps stored and writes its results atomically."""
