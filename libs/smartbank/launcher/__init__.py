"""The local stack: every smartbank process on one machine, started and stopped as one."""

from smartbank.launcher.binaries import BinaryNotFound
from smartbank.launcher.layout import Layout, default_data_dir
from smartbank.launcher.ports import PortsInUse, StackPorts
from smartbank.launcher.stack import Stack, StackError

__all__ = [
    "BinaryNotFound",
    "Layout",
    "PortsInUse",
    "Stack",
    "StackError",
    "StackPorts",
    "default_data_dir",
]
