"""The error raised for a flow file that cannot be read, parsed or validated."""


class FlowError(Exception):
    """A problem with a flow file; ``str()`` gives ``source:line: message``."""

    def __init__(self, message: str, source: str, line: int | None = None) -> None:
        location = source if line is None else f"{source}:{line}"
        super().__init__(f"{location}: {message}")
        self.message = message
        self.source = source
        self.line = line
