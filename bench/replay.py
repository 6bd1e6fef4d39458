"""The load test's mix replayed in one process: the processor time each kind of page costs the
app, without the stack around it (nginx, gunicorn, pgbouncer, the load generator) or the
machine's other work, which make the load test's own figures move by a tenth from run to run.

    python bench/replay.py [--meetings 20000] [--requests 1200] [--baseline REV] [--rounds 2]

On a copy of bench/defrel-<meetings>.sqlite3 (built by bench/synth the first time; editors
save into the copy). Readers ask what bench/mix.py says, in the load test's proportions; an
editor's edit (the change form, then its POST with a token appended to summary_en, as
bench/locustfile.py's editors do) comes every EDIT_EVERY reader requests, as often as in the
load test's runs; a reader's address asked again within DEFREL_PUBLIC_MAX_AGE is skipped, as
nginx answers it from its cache, the clock moving 1/RATE seconds a request. The same seed
makes the same requests in every run. With ``--baseline``, that revision (a temporary
worktree) and this checkout are replayed in turn, ``--rounds`` times.
"""
import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
EDIT_EVERY = 11  # reader requests per editor request: 12,000 against 1,100 in the runs of LOADTEST.md
RATE = 45  # requests a second, as in those runs: how long an address stays in nginx's cache
SEED = 5
NGINX = "(nginx's cache)"  # the kind of a request nginx answers: none of the app's time


def run(requests):
    """(Inside Django, bench/child.py.) {kind: [processor ms of each request]} and how many
    requests nginx would have answered."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    import defrel.wsgi  # noqa: F401 - the process made as the app servers make theirs (defrel/long_lived.py)
    import loadtest
    import mix
    from client import ChangeForm

    settings.ALLOWED_HOSTS = ["*"]
    info, rng = loadtest.setup(), random.Random(SEED)
    reader, editor = Client(), Client()
    editor.force_login(User.objects.get(username=loadtest.EDITOR))
    cpu, kept, clock = defaultdict(list), {}, 0.0

    def timed(kind, call, *args, **kwargs):
        started = time.process_time()
        response = call(*args, **kwargs)
        if response.streaming:
            b"".join(response.streaming_content)
        cpu[kind].append((time.process_time() - started) * 1000)
        return response

    for n in range(int(requests)):
        clock += 1 / RATE
        if n % EDIT_EVERY == 0:
            url = rng.choice(info["edit_targets"])
            form = ChangeForm()
            form.feed(timed("admin change form", editor.get, url).content.decode())
            body = [(k, f"{v.rstrip()} [replay {n}]" if k == "summary_en" else v) for k, v in form.data if k != "_save"]
            saved = timed("admin save", editor.post, url, urlencode(body),
                          content_type="application/x-www-form-urlencoded")  # as the locustfile posts it
            assert saved.status_code == 302, (url, saved.status_code)  # one editor: never refused
        kind, path = mix.read(rng, info)
        if clock - kept.get(path, -1e9) < settings.DEFREL_PUBLIC_MAX_AGE:
            cpu[NGINX].append(0.0)
            continue
        response = timed(kind, reader.get, path)
        assert response.status_code == 200, (path, response.status_code)
        kept[path] = clock
    return cpu


def table(cpu):
    asked = sum(len(times) for times in cpu.values())
    total = sum(sum(times) for times in cpu.values())
    lines = [f"{asked:,} requests, {len(cpu.get(NGINX, [])):,} of them answered by nginx's cache; the app's "
             f"processor {total / 1000:.1f} s, {total / asked:.1f} ms a request", "",
             "| kind | requests | processor ms, p50 | mean | processor s in all |", "|---|---:|---:|---:|---:|"]
    for kind, times in sorted(cpu.items(), key=lambda item: -sum(item[1])):
        if kind != NGINX:
            lines.append(f"| {kind} | {len(times):,} | {statistics.median(times):.1f} | "
                         f"{statistics.mean(times):.1f} | {sum(times) / 1000:.2f} |")
    return "\n".join(lines)


def main():
    from servers import Baseline, current_side

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--baseline", help="a git revision to replay in turn with this checkout")
    parser.add_argument("--rounds", type=int, default=2, help="turns of each, with --baseline")
    args = parser.parse_args()
    database = BENCH / f"defrel-{args.meetings // 1000}k.sqlite3"
    current = current_side()
    current.build(f"sqlite:///{database}", args.meetings)
    baseline = Baseline(args.baseline) if args.baseline else None
    try:
        sides = [baseline.side, current] if baseline else [current]
        for _round in range(args.rounds if baseline else 1):
            for side in sides:
                with tempfile.TemporaryDirectory(prefix="defrel-replay-") as scratch:
                    copy = Path(scratch) / database.name
                    shutil.copyfile(database, copy)
                    print(f"## {side.name}: {side.revision}\n")
                    print(table(side.child("replay", f"sqlite:///{copy}", args.requests)) + "\n", flush=True)
    finally:
        if baseline:
            baseline.close()


if __name__ == "__main__":
    main()
