"""Configuration generated from the registry: Envoy, Kubernetes, skaffold, the Cassandra schema."""
