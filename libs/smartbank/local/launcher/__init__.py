"""The local stack: every smartbank process on one machine, started and stopped as one."""

from smartbank.local.launcher.binaries import BinaryNotFound
from smartbank.local.launcher.layout import Layout, default_data_dir
from smartbank.local.launcher.ports import PortsInUse, StackPorts
from smartbank.local.launcher.stack import Stack, StackError

__all__ = [
    "BinaryNotFound",
    "Layout",
    "PortsInUse",
    "Stack",
    "StackError",
    "StackPorts",
    "default_data_dir",
]
