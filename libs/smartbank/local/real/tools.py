"""The build tools the real parts need, and exactly what to install when one is missing.

Java 17 runs both JVM parts (Kafka 4 needs 17 or newer, Cassandra 5.0 runs on 11 or 17 only),
Maven resolves their jars and Go 1.24.6 or newer builds Jaeger v1.75.0. Debian 12's `golang`
package is Go 1.19, too old, so the Go message names the version as well as the package.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

GO_MINIMUM = (1, 24, 6)


class ToolMissing(RuntimeError):
    """A build tool is absent or too old; the message says what to install."""


@dataclass(frozen=True)
class Tool:
    command: str
    install: str


JAVA = Tool("java", "apt-get install openjdk-17-jre-headless")
MAVEN = Tool("mvn", "apt-get install maven openjdk-17-jdk-headless")
GO = Tool("go", "apt-get install golang (Go 1.24.6 or newer: Debian 12's golang, 1.19, is too old)")


def which(tool: Tool) -> str:
    found = shutil.which(tool.command) or _go_fallback(tool)
    if found is None:
        raise ToolMissing(f"{tool.command} is not installed: {tool.install}")
    return found


def _go_fallback(tool: Tool) -> str | None:
    """Go's own tarball installs to /usr/local/go, often not on PATH."""
    return "/usr/local/go/bin/go" if tool is GO and shutil.which("/usr/local/go/bin/go") else None


def java_major(java: str) -> int:
    """17 for `openjdk version "17.0.15"` (java -version writes to stderr)."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise ToolMissing(f"cannot tell the version of {java}: {JAVA.install}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_java(part: str) -> str:
    java = which(JAVA)
    major = java_major(java)
    fits = major in (11, 17) if part == "cassandra" else major >= 17
    if not fits:
        raise ToolMissing(f"{part} does not run on Java {major} ({java}): {JAVA.install}")
    return java


def check_go() -> str:
    go = which(GO)
    out = subprocess.run([go, "version"], capture_output=True, text=True, timeout=60).stdout
    match = re.search(r"go(\d+)\.(\d+)(?:\.(\d+))?", out)
    found = tuple(int(g or 0) for g in match.groups()) if match else (0, 0, 0)
    if found < GO_MINIMUM:
        raise ToolMissing(f"{go} is {out.strip() or 'unknown'}, too old: {GO.install}")
    return go


def missing(parts: list[str]) -> list[str]:
    """Every problem with the tools these parts need (empty when all is there)."""
    checks = {
        "kafka": [lambda: check_java("kafka"), lambda: which(MAVEN)],
        "cassandra": [lambda: check_java("cassandra"), lambda: which(MAVEN)],
        "jaeger": [check_go],
        "jmx-exporter": [lambda: which(MAVEN)],
    }
    problems: list[str] = []
    for name in parts:
        for check in checks[name]:
            try:
                check()
            except ToolMissing as exc:
                problems.append(str(exc))
    return list(dict.fromkeys(problems))
