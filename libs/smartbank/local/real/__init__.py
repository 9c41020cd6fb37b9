"""The real parts: Apache Kafka, Apache Cassandra and Jaeger v2, run as local processes.

`install` fetches them from the registries (Maven Central, the Go module proxy) into a cache
outside the repository, pinned by the build inputs in deploy/local-real/. `kafka`, `cassandra`
and `jaeger` each know one part's config and command line, and start it for a test or a stack
with `running_*`, a context manager that waits until the part answers and stops it on exit.
"""
