"""A progress bar for the long bulk writes."""
import time


class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, a line per tenth
    otherwise (logs, CI)."""

    def __init__(self, stream, label, total):
        self.stream, self.label, self.total = stream, label, max(total, 1)
        self.done, self.started, self.tty = 0, time.monotonic(), stream.isatty()
        self.last_tenth = -1

    def add(self, n):
        self.done += n
        tenth = self.done * 10 // self.total
        if self.tty or tenth != self.last_tenth:
            self.last_tenth = tenth
            bar = "#" * (self.done * 30 // self.total)
            line = (f"{self.label:<12} [{bar:<30}] {self.done:>9,}/{self.total:,} "
                    f"{time.monotonic() - self.started:6.1f}s")
            self.stream.write(("\r" + line) if self.tty else line + "\n")
            self.stream.flush()

    def close(self):
        if self.tty:
            self.stream.write("\n")
