#!/bin/bash
# Starts one Apache Kafka node in KRaft mode, combined broker and controller.
#
# The node id is the StatefulSet ordinal (kafka-2 → 2) and the controller quorum is every pod of
# the StatefulSet, so the same manifest runs 1 or N nodes: KAFKA_REPLICAS (ConfigMap
# kafka-cluster) must equal the StatefulSet's replicas. The quorum is static: choose N before the
# first start; changing it later needs fresh volumes (or a KRaft voter change by hand).
# Replication follows N: min(3, N) copies of the internal topics, min.insync.replicas 2 from 3.
#
# The image's own /etc/kafka/docker/run writes its config into the root filesystem, which is
# read-only here; this script writes server.properties into /tmp (an emptyDir) instead.
set -euo pipefail

ordinal="${HOSTNAME##*-}"
replicas="${KAFKA_REPLICAS:-1}"
domain="${KAFKA_HEADLESS_SERVICE}.${POD_NAMESPACE}.svc"
statefulset="${HOSTNAME%-*}"
voters=""
for ((i = 0; i < replicas; i++)); do
  voters+="${voters:+,}${i}@${statefulset}-${i}.${domain}:9093"
done
copies=$((replicas < 3 ? replicas : 3))
min_isr=$((copies < 3 ? 1 : 2))

mkdir -p /tmp/kafka
config=/tmp/kafka/server.properties
cat >"$config" <<PROPERTIES
process.roles=broker,controller
node.id=${ordinal}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=PLAINTEXT://${HOSTNAME}.${domain}:9092
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=/var/lib/kafka/data/kraft
num.partitions=${KAFKA_NUM_PARTITIONS:-6}
default.replication.factor=${copies}
offsets.topic.replication.factor=${copies}
transaction.state.log.replication.factor=${copies}
transaction.state.log.min.isr=${min_isr}
share.coordinator.state.topic.replication.factor=${copies}
share.coordinator.state.topic.min.isr=${min_isr}
# Topics come from the kafka-topics Job (the registry's list); a typo must not create one.
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
log.retention.hours=${KAFKA_LOG_RETENTION_HOURS:-24}
# And at most 16 MiB (+ the active 8 MiB segment) a partition: 60 partitions fit the 2 GiB volume
# even under a load generator (local-path storage on kind does not enforce the claim's size).
log.retention.bytes=${KAFKA_LOG_RETENTION_BYTES:-16777216}
log.segment.bytes=8388608
PROPERTIES

echo "node ${ordinal} of ${replicas}, voters ${voters}"
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "${KAFKA_CLUSTER_ID}" -c "$config"
# The broker alone loads the JMX exporter agent (port `metrics`): the storage tool above and any
# kafka-*.sh run in this container would otherwise try to take its port too.
export KAFKA_OPTS="${KAFKA_OPTS:-} -javaagent:/jmx/jmx_prometheus_javaagent.jar=9404:/etc/jmx/kafka.yaml"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
