"""A local emulator of the Alibaba Cloud ESA 2024-09-10 client-certificate API for the official SDK."""

from __future__ import annotations

from .server import EmulatorServer

__all__ = ['EmulatorServer']
