"""Work started ahead of the gate that needs it (the editable install), in a thread, so
that it runs while the gates before that one do."""

from __future__ import annotations

import sysconfig
import threading
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


class Ahead(Generic[T]):
    """``work`` running in a thread of its own from now on; ``result`` waits for it and
    returns what it returned, or raises what it raised, in the caller's thread."""

    def __init__(self, work: Callable[[], T], name: str) -> None:
        self._outcome: tuple[T] | BaseException = RuntimeError(f"{name} did not end")
        # Read before the thread starts: the first read of Python's build configuration is
        # not thread-safe, and both this thread and the work (uv's lookup) may make it.
        sysconfig.get_config_vars()
        self._thread = threading.Thread(target=self._run, args=(work,), name=name)
        self._thread.start()

    def _run(self, work: Callable[[], T]) -> None:
        try:
            self._outcome = (work(),)
        except BaseException as error:  # handed to the thread that asks for the result
            self._outcome = error

    def result(self) -> T:
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome[0]

    def wait(self) -> None:
        """Wait for the work to end, whatever it gives."""
        self._thread.join()
