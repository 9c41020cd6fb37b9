"""What the services read from their environment in the cluster, as ConfigMap data.

Every setting a service has is listed here with its cluster value, including those that keep
their code default: a test checks that the rendered manifests set every field of every
service's settings, so a new setting fails the build until someone decides its cluster value
(a default such as `127.0.0.1:9092` is right locally and wrong in a pod).
"""

from __future__ import annotations

from smartbank.registry import KAFKA_PORT, MESH_PORT, PUBLIC_API_PORT, ServiceSpec

NAMESPACE = "smartbank"
PLATFORM_CONFIG = "smartbank-platform"
CASSANDRA_PORT = 9042
OTLP_HTTP_PORT = 4318
# The infrastructure's Services (deploy/k8s/base/infra): the names the pods resolve.
KAFKA_HOST, CASSANDRA_HOST, JAEGER_HOST = "kafka", "cassandra", "jaeger"
OTLP_ENDPOINT = (JAEGER_HOST, OTLP_HTTP_PORT)

# PlatformSettings, the same for every service (one ConfigMap they all read first).
PLATFORM_ENV: dict[str, str] = {
    "HOST": "0.0.0.0",
    "DATA_DIR": "/tmp/smartbank/data",
    "STORAGE": "cassandra",
    "CASSANDRA_HOSTS": CASSANDRA_HOST,
    "CASSANDRA_REPLICATION_FACTOR": "1",
    # The services only wait for their keyspaces and tables: the Job cassandra-schema (infra/)
    # creates them, one writer for the cluster.
    "CASSANDRA_SCHEMA": "await",
    "RPC_MODE": "mesh",
    "MESH_URL": f"http://127.0.0.1:{MESH_PORT}",
    # Each Service's DNS name, for a client that talks to the services directly (the test Job).
    "DIRECT_HOST": "{service}",
    "KAFKA_BOOTSTRAP": f"{KAFKA_HOST}:{KAFKA_PORT}",
    "KAFKA_IDEMPOTENCE": "true",
    "KAFKA_LINGER_MS": "5",
    "CONSUMER_BATCH": "200",
    "CONSUMER_CONCURRENCY": "32",
    # Apache Kafka answers a waiting fetch as soon as a message arrives, so a long wait costs
    # no latency and spares idle polling (measured on 4.1.2 with four idle groups: the broker at
    # 6.9 % of a core instead of 21 %, the consumers 1.4 % instead of 5.1 %; delivery p50 6.3 ms
    # either way). Tansu, locally, needs the short default (see smartbank.settings). Idle or
    # not, the wait is the same here (events/fetch_wait.py).
    "CONSUMER_FETCH_WAIT_MS": "500",
    "CONSUMER_IDLE_FETCH_WAIT_MS": "500",
    "CONSUMER_RETRY_BASE_SECONDS": "0.2",
    "CONSUMER_RETRY_MAX_SECONDS": "30",
    "CONSUMER_MAX_ATTEMPTS": "5",
    # Internal services are not rate limited; api and auth set their own (aliased) limits.
    "RATE_LIMIT_PER_TOKEN": "0",
    "RATE_LIMIT_PER_ADDRESS": "0",
    "RATE_LIMIT_BURST": "40",
    "RATE_LIMIT_PATHS": "/",
    "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{JAEGER_HOST}:{OTLP_HTTP_PORT}",
    "TRACE_SAMPLING": "1.0",
    "LOG_LEVEL": "INFO",
    "ACCESS_LOG": "true",
    # Within the pod's terminationGracePeriodSeconds, after the preStop pause (see k8s_pods).
    "SHUTDOWN_GRACE_SECONDS": "10",
}

# Each service's own settings (its Settings subclass), by env name (an alias where it has one).
SERVICE_ENV: dict[str, dict[str, str]] = {
    "api": {
        "API_RATE_LIMIT_PER_TOKEN": "20",
        "API_RATE_LIMIT_PER_ADDRESS": "50",
        "API_RATE_LIMIT_BURST": "100",
    },
    "auth": {
        "ACCESS_TOKEN_TTL": "21600",
        "AUTHORIZATION_CODE_TTL": "600",
        "LOGIN_LINK_TTL": "900",
        "AUTH_LOGIN_MODE": "email",
        # Where a browser reaches the public API: the port-forwarded edge.
        "AUTH_PUBLIC_URL": f"http://127.0.0.1:{PUBLIC_API_PORT}",
        "AUTH_RATE_LIMIT_PER_ADDRESS": "10",
        "AUTH_RATE_LIMIT_BURST": "30",
        "RATE_LIMIT_PATHS": "/oauth2/",
    },
    "card-api": {
        "NETWORK_DEADLINE_MS": "2000",
        "ANSWER_MARGIN_MS": "200",
        "STAND_IN_ATTEMPTS": "5",
        "MAX_IN_FLIGHT": "32",
    },
    "card-processing": {
        "HOLD_EXPIRY": "604800",
        "HOLD_SWEEP_INTERVAL": "30",
        "HOLD_SWEEP_DAYS": "14",
        "PENDING_LEASE": "5",
        "RECORD_FOLLOW_UP": "5",
        "OFFLINE_FLOOR_LIMIT": "5000",
    },
    "transactions": {"OUTBOX_INTERVAL": "1"},
    "apns": {
        "APNS_ENDPOINT": "https://api.sandbox.push.apple.com",
        "APNS_TOPIC": "dev.smartbank.app",
        "APNS_EXPIRATION_SECONDS": "86400",
        "APNS_TIMEOUT_SECONDS": "10",
        "APNS_ATTEMPTS": "5",
        "APNS_RETRY_WAIT_SECONDS": "0.5",
        "APNS_RETRY_MAX_WAIT_SECONDS": "30",
    },
    "webhook": {
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "false",
        "WEBHOOK_MAX_ATTEMPTS": "8",
        "WEBHOOK_BACKOFF_BASE": "2",
        "WEBHOOK_BACKOFF_MAX": "3600",
        "WEBHOOK_TIMEOUT": "10",
        "WEBHOOK_RETRY_INTERVAL": "2",
    },
}

# Secrets a service reads (envFrom, optional): never committed. Create them in the cluster, e.g.
#   kubectl -n smartbank create secret generic apns-credentials \
#     --from-literal=APNS_TEAM_ID=... --from-literal=APNS_KEY_ID=... --from-file=APNS_KEY_PEM=key.p8
# Without one apns runs unsigned (fine for a sink, rejected by Apple).
SECRETS: dict[str, dict[str, tuple[str, ...]]] = {
    "apns": {"apns-credentials": ("APNS_TEAM_ID", "APNS_KEY_ID", "APNS_KEY_PEM")},
}

# Settings deliberately left unset in the cluster, and why.
UNSET: dict[str, dict[str, str]] = {
    "apns": {"APNS_KEY_FILE": "the key comes from the Secret as APNS_KEY_PEM; no file is mounted"},
}


def service_env(spec: ServiceSpec) -> dict[str, str]:
    """A service's own ConfigMap: who it is, its port, then its own settings."""
    return {"SERVICE_NAME": spec.name, "PORT": str(spec.port), **SERVICE_ENV.get(spec.name, {})}


def secret_names(spec: ServiceSpec) -> tuple[str, ...]:
    return tuple(SECRETS.get(spec.name, {}))
