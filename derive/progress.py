"""Progress lines on standard error for steps that can take a while; silent with --quiet
and when standard error is not a terminal."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager


class Progress:
    def __init__(self, quiet: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = not quiet and getattr(self.stream, "isatty", lambda: False)()

    @contextmanager
    def step(self, what: str):
        """``with progress.step("deriving 3-2-2"):`` shows the step and then its duration."""
        start = time.perf_counter()
        if self.enabled:
            self.stream.write(f"… {what}\r")
            self.stream.flush()
        yield
        if self.enabled:
            self.stream.write(f"✓ {what} ({time.perf_counter() - start:.1f} s)\n")
            self.stream.flush()
