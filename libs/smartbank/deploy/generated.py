"""Files generated from the registry and checked in (the Kubernetes manifests): how they are
dumped as YAML, written, and compared with what is checked in, so a unit test can fail when
someone changed the registry or a generator without regenerating.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

Files = Mapping[Path, str]


class Dumper(yaml.SafeDumper):
    """Readable YAML: no anchors, and a multi-line string (an Envoy bootstrap, a patch) as a
    literal block."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _text)


def dump(document: Any) -> str:
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, width=100)


def dump_all(documents: Iterable[Any]) -> str:
    return yaml.dump_all(documents, Dumper=Dumper, sort_keys=False, width=100)


def stale(files: Files, root: Path) -> list[Path]:
    """The files (relative to `root`) whose checked-in content differs from `files`."""
    return [path for path, text in files.items() if _read(root / path) != text]


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def main(
    argv: Sequence[str] | None,
    *,
    description: str,
    root: Path,
    render: Callable[[], Files],
    check: Callable[[Path], list[Path]],
) -> int:
    """`--check` lists the stale files and exits 1 if there are any; otherwise writes them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dir", type=Path, default=root, help="where the files go")
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args(argv)
    if args.check:
        differing = check(args.dir)
        for path in differing:
            print(f"{args.dir / path} differs from the registry: run make manifests")
        return 1 if differing else 0
    files = render()
    for path, text in files.items():
        (args.dir / path).parent.mkdir(parents=True, exist_ok=True)
        (args.dir / path).write_text(text)
    print(f"wrote {len(files)} files under {args.dir}")
    return 0
