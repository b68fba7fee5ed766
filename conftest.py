"""Root conftest: only what running the tests from a checkout needs."""

pytest_plugins = ["pytester"]
