"""The configs the real parts are started with: loopback only, data under the caller's dir.

These need no part installed: they read the pinned inputs and render configs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from smartbank.local.real import cassandra, jaeger, kafka, parts, tools


def test_versions_come_from_the_pinned_build_inputs() -> None:
    assert [(p.name, p.version) for p in parts.all_parts()] == [
        ("kafka", "4.1.2"),
        ("cassandra", "5.0.9"),
        ("jaeger", "1.75.0"),
        ("jmx-exporter", "1.0.1"),
    ]


def test_a_part_lives_in_the_cache_named_by_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTBANK_CACHE", str(tmp_path))
    part = parts.kafka()
    assert part.home == tmp_path / "real" / f"kafka-{part.version}"
    with pytest.raises(parts.PartMissing, match="make real-parts"):
        part.require()


def test_kafka_listens_on_loopback_only_and_keeps_its_log_under_the_data_dir(
    tmp_path: Path,
) -> None:
    text = kafka.server_properties(tmp_path, 19092, 19093)
    config = dict(line.split("=", 1) for line in text.splitlines())
    assert config["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert config["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert config["log.dirs"] == str(tmp_path / "kraft")
    assert config["auto.create.topics.enable"] == "false"


def test_cassandra_binds_loopback_and_keeps_every_directory_under_the_data_dir(
    tmp_path: Path,
) -> None:
    path = cassandra.write_config(tmp_path, 19042, 17000, {"write_request_timeout": "20ms"})
    config = yaml.safe_load(path.read_text())
    assert (config["listen_address"], config["rpc_address"]) == ("127.0.0.1", "127.0.0.1")
    assert (config["native_transport_port"], config["storage_port"]) == (19042, 17000)
    dirs = [*config["data_file_directories"], config["commitlog_directory"]]
    dirs += [config["hints_directory"], config["saved_caches_directory"]]
    assert all(Path(d).is_relative_to(tmp_path) for d in dirs)
    assert config["write_request_timeout"] == "20ms"


def test_jaeger_receives_and_answers_on_loopback_only() -> None:
    config = jaeger.config(jaeger.Ports(14318, 16687, 16688))
    query = config["extensions"]["jaeger_query"]
    otlp = config["receivers"]["otlp"]["protocols"]
    assert otlp == {"http": {"endpoint": "127.0.0.1:14318"}}
    assert (query["http"]["endpoint"], query["grpc"]["endpoint"]) == (
        "127.0.0.1:16687",
        "127.0.0.1:16688",
    )
    assert query["enable_tracing"] is False


def test_missing_tools_are_named_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools.shutil, "which", lambda _: None)
    problems = tools.missing(["kafka", "jaeger"])
    assert "java is not installed: apt-get install openjdk-17-jre-headless" in problems
    assert any(p.startswith("mvn is not installed: apt-get install maven") for p in problems)
    assert any(p.startswith("go is not installed: apt-get install golang") for p in problems)
