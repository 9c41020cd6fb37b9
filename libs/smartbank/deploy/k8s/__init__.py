"""The Kubernetes manifests and overlays, rendered from the registry."""
