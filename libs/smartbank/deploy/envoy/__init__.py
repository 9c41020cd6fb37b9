"""Envoy's configuration, generated from the registry: the bootstrap, its clusters, the mesh
listeners and the two edges."""
