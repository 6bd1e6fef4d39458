"""Where a load test's processor time went: every process on the machine read from /proc once a
second and counted under the part of the stack it belongs to (itself or its parent: a
PostgreSQL backend under its server, a gunicorn worker under its app server), and the machine's
own total from /proc/stat. A process that ends between two readings loses at most a second of
its time; one that starts during the run counts from nothing."""
import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
ELSE = "anything else on the machine"


def processes():
    """pid → (parent pid, command line, processor seconds so far) of every process."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            command = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended since the listing
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state, ppid, …
        found[int(entry.name)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def machine_seconds():
    """Processor seconds the whole machine has spent busy since it started (/proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text()
                                                                   .split("\n")[0].split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


class ProcessorTime(threading.Thread):
    """Reads /proc every ``every`` seconds until stop(); ``parts`` is [(part, text)]: a process
    whose command line, or an ancestor's, contains ``text`` belongs to ``part`` (first match)."""

    def __init__(self, parts, every=1.0):
        super().__init__(daemon=True)
        self.parts, self.every, self.done = parts, every, threading.Event()
        self.first, self.last, self.part_of = {}, {}, {}

    def part(self, pid, table):
        seen = []
        while pid in table and pid not in self.part_of and len(seen) < 20:
            seen.append(pid)
            parent, command, _ = table[pid]
            match = next((part for part, text in self.parts if text in command), None)
            if match:
                self.part_of[pid] = match
                break
            pid = parent
        part = self.part_of.get(pid, ELSE)
        for p in seen:
            self.part_of[p] = part
        return part

    def read(self):
        table = processes()
        for pid, (_parent, _command, seconds) in table.items():
            if pid not in self.first:
                self.first[pid] = seconds if self.started is None else 0.0
                self.part(pid, table)
            self.last[pid] = seconds
        return table

    def used(self):
        """{part: processor seconds} since start(), as of the last reading."""
        used = {}
        for pid, seconds in self.last.items():
            part = self.part_of[pid]
            used[part] = used.get(part, 0.0) + seconds - self.first[pid]
        return used

    def run(self):
        while not self.done.wait(self.every):
            self.read()
            now = time.time()
            self.busy.append((now, machine_seconds()))
            self.by_part.append((now, self.used()))

    def start(self):
        self.started, self.machine = None, machine_seconds()
        self.clock = time.monotonic()
        self.busy = [(time.time(), self.machine)]  # (when, the machine's busy seconds so far)
        self.by_part = [(self.busy[0][0], {})]  # (when, {part: its seconds so far})
        self.read()
        self.started = self.clock
        super().start()
        return self

    def stop(self):
        """{part: processor seconds}, with "machine" (all busy time) and "capacity" (the
        processors' seconds in the period)."""
        self.done.set()
        self.join()
        self.read()
        used = self.used()
        elapsed = time.monotonic() - self.clock
        return {"parts": dict(sorted(used.items(), key=lambda item: -item[1])),
                "machine": machine_seconds() - self.machine, "capacity": elapsed * os.cpu_count(),
                "elapsed": elapsed, "busy": self.busy,
                "by_part": self.by_part}
