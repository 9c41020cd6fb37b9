"""Where each real part lives: its pinned build inputs in the repository, its files in the cache.

The cache is outside the repository (`SMARTBANK_CACHE`, else ~/.cache/smartbank) so every
clone on a machine shares one download, and a part's directory is named by its version, so a
version bump installs beside the old one instead of over it. A part counts as installed only
once its `.complete` marker exists: the installer writes it last, after every check passed,
so an interrupted install is redone rather than half used.
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

INPUTS = Path(__file__).resolve().parents[4] / "deploy" / "local-real"
MARKER = ".complete"
_POM = "{http://maven.apache.org/POM/4.0.0}"
JAEGER_MODULE = "github.com/jaegertracing/jaeger"


class PartMissing(RuntimeError):
    """A part is not in the cache: `make real-parts` installs it."""


def cache_root() -> Path:
    base = os.environ.get("SMARTBANK_CACHE") or str(Path.home() / ".cache" / "smartbank")
    return Path(base) / "real"


@dataclass(frozen=True)
class Part:
    """One real part at its pinned version."""

    name: str
    version: str

    @property
    def home(self) -> Path:
        return cache_root() / f"{self.name}-{self.version}"

    @property
    def installed(self) -> bool:
        return (self.home / MARKER).is_file()

    def require(self) -> Path:
        """The part's directory, or PartMissing saying how to get it."""
        if not self.installed:
            raise PartMissing(
                f"{self.name} {self.version} is not in {cache_root()}: run `make real-parts` "
                "(or `python -m smartbank.local.real.install`)"
            )
        return self.home


def pom_version(name: str) -> str:
    """The version of the part's one dependency, as its pinned pom names it."""
    root = ET.parse(INPUTS / name / "pom.xml").getroot()
    version = root.find(f"{_POM}dependencies/{_POM}dependency/{_POM}version")
    if version is None or not version.text:
        raise ValueError(f"{INPUTS / name / 'pom.xml'} names no dependency version")
    return version.text.strip()


def go_version(module: str = JAEGER_MODULE) -> str:
    """The version go.mod requires of `module` (`v1.75.0` → `1.75.0`)."""
    for line in (INPUTS / "jaeger" / "go.mod").read_text().splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in (module, "require") and module in words:
            return words[words.index(module) + 1].removeprefix("v")
    raise ValueError(f"go.mod does not require {module}")


def kafka() -> Part:
    return Part("kafka", pom_version("kafka"))


def cassandra() -> Part:
    return Part("cassandra", pom_version("cassandra"))


def jaeger() -> Part:
    return Part("jaeger", go_version())


def jmx_exporter() -> Part:
    """Prometheus' JMX exporter agent, which Kafka and Cassandra load to serve their metrics."""
    return Part("jmx-exporter", pom_version("jmx-exporter"))


def all_parts() -> list[Part]:
    return [kafka(), cassandra(), jaeger(), jmx_exporter()]


def java() -> str:
    """The `java` that runs the JVM parts (JAVA_HOME's first, as Java's own scripts do)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise PartMissing("java is not installed: apt-get install openjdk-17-jre-headless")
    return found
