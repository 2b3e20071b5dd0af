"""Energy concepts for a residential quarter: tenant power (EnWG § 42a Mieterstrom, § 42b shared
building supply), central heat pump vs heat network vs today's gas boilers, and the warm rent of
the rent-controlled flats. ``heatplan quarter study quarter.toml``."""
