"""Building heat demand: typology, benchmarks, metered consumption, degree days, profiles."""
