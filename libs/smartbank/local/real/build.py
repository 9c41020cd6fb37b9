"""Fetching one part into the cache: Maven for the JVM parts, the Go toolchain for Jaeger.

Each part is assembled in a `.partial` directory beside its final one and renamed into place
only after its checks pass, so a part in the cache is always whole. Maven runs with strict
checksums (`-C`: a jar whose checksum does not match the repository's fails the build), and
every jar it copies must then match jars.sha256 beside the pom, which pins the whole
classpath rather than only the version the pom names. Go checks every module it downloads
against the committed go.sum; the checksum database is not reachable from every machine, so
it is turned off and go.sum is the only authority (`-mod=readonly`: a missing entry fails).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from smartbank.local.real import parts, tools
from smartbank.local.real.parts import INPUTS, MARKER, Part

LOCK = "jars.sha256"
GO_PACKAGE = f"{parts.JAEGER_MODULE}/cmd/jaeger"
TIMEOUT_S = 1800


class BuildFailed(RuntimeError):
    """A download, a checksum or a compile failed; the message says which."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digests(lib: Path) -> dict[str, str]:
    return {jar.name: sha256(jar) for jar in sorted(lib.glob("*.jar"))}


def read_lock(name: str) -> dict[str, str]:
    lines = (INPUTS / name / LOCK).read_text().splitlines()
    return {f: h for h, f in (line.split() for line in lines if line and line[0] != "#")}


def write_lock(name: str, lib: Path) -> None:
    header = f"# sha256 of every jar of deploy/local-real/{name}/pom.xml, as `make real-relock`"
    rows = [f"{h}  {f}" for f, h in digests(lib).items()]
    (INPUTS / name / LOCK).write_text("\n".join([header + " wrote it", *rows]) + "\n")


def check_lock(name: str, lib: Path) -> None:
    found, pinned = digests(lib), read_lock(name)
    wrong = sorted(f for f in found.keys() & pinned.keys() if found[f] != pinned[f])
    extra, absent = sorted(found.keys() - pinned.keys()), sorted(pinned.keys() - found.keys())
    if wrong or extra or absent:
        raise BuildFailed(
            f"{name}: jars differ from {INPUTS / name / LOCK}: checksum {wrong}, "
            f"not pinned {extra}, missing {absent}"
        )


def maven(part: Part, staging: Path, relock: bool = False) -> None:
    """Copy the pom's dependencies into `staging/lib` and check them against the lock."""
    tools.check_java(part.name)
    mvn = tools.which(tools.MAVEN)
    repo = parts.cache_root() / "maven"
    argv = [mvn, "-B", "-q", "-C", "-f", str(INPUTS / part.name / "pom.xml")]
    argv += [f"-Dmaven.repo.local={repo}", "dependency:copy-dependencies"]
    argv += [f"-DoutputDirectory={staging / 'lib'}"]
    _run(argv, part, staging)
    if relock:
        write_lock(part.name, staging / "lib")
    check_lock(part.name, staging / "lib")


def go_env() -> dict[str, str]:
    """A Go build that uses only the module proxy, checked against go.sum alone."""
    root = parts.cache_root() / "go"
    return {
        "GOMODCACHE": str(root / "mod"),
        "GOCACHE": str(root / "build"),
        "GOPROXY": os.environ.get("GOPROXY") or "https://proxy.golang.org",
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=readonly -modcacherw",
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "CGO_ENABLED": "0",
    }


def go(part: Part, staging: Path) -> None:
    argv = [tools.check_go(), "build", "-trimpath", "-ldflags=-s -w"]
    argv += ["-o", str(staging / "bin" / "jaeger"), GO_PACKAGE]
    env = go_env()
    _run(argv, part, staging, cwd=INPUTS / "jaeger", env=env)
    trim_go_caches(Path(env["GOCACHE"]), Path(env["GOMODCACHE"]))


def trim_go_caches(build_cache: Path, module_cache: Path) -> None:
    """Keep only the module downloads (zips, 250 MiB for Jaeger) once the binary is built.

    The compiled packages (1.6 GiB) serve only a rebuild of this very binary, which the cache
    never needs, and the extracted sources (1 GiB) are extracted again from the zips when the
    next version is built; only the downloads would cost time to fetch again.
    """
    shutil.rmtree(build_cache, ignore_errors=True)
    for entry in module_cache.iterdir() if module_cache.is_dir() else []:
        if entry.name != "cache":
            shutil.rmtree(entry, ignore_errors=True)


def install(part: Part, relock: bool = False) -> bool:
    """Fetch `part` unless it is already in the cache; True when it was fetched now."""
    if part.installed and not relock:
        return False
    staging = part.home.with_name(part.home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if part.name == "jaeger":
        go(part, staging)
    else:
        maven(part, staging, relock)
    (staging / MARKER).write_text(f"{part.name} {part.version}\n")
    shutil.rmtree(part.home, ignore_errors=True)
    staging.rename(part.home)
    return True


def _run(
    argv: list[str],
    part: Part,
    staging: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> None:
    """Run one build step, its output in a log beside the staging directory."""
    log = staging.with_suffix(".log")
    with log.open("wb") as out:
        done = subprocess.run(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            timeout=TIMEOUT_S,
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise BuildFailed(
            f"{part.name} {part.version}: {argv[0]} exited {done.returncode} ({log}):\n{tail}"
        )
