"""Potentials (Potenzialanalyse, WPG §16): wastewater, biomass, solar, ambient and ground heat."""
