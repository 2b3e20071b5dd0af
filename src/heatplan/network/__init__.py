"""Heat-network layout: street graph, Steiner-tree route, house connections (``route``)."""
