"""Supply options per building: decentral full costs and the network connection."""
