"""Test-only stand-in for the async-timeout package on Python < 3.11.3 (see old_python_shim in
tests/k8s/test_server_images.py): redis imports `timeout` from it there; the standard library has the same."""
from asyncio import timeout

__all__ = ["timeout"]
