"""The parts of the stack whose processor time the load test reads (bench/cpu.py finds their
processes by command line): named once, for the run (bench/loadtest.py) and for its report's
columns (bench/loadtest_report.py)."""
LOCUST = "load generator (locust)"
APP_SERVERS = "app servers (gunicorn)"
PRIMARY = "PostgreSQL primary"
REPLICA = "PostgreSQL replica"


def stack_parts(cluster):
    """[(name, what its processes' command lines hold)] of ``cluster``'s stack."""
    return [(LOCUST, "locust"), ("nginx", "nginx"), (APP_SERVERS, "gunicorn"),
            (PRIMARY, f"-D {cluster.primary} "), (REPLICA, f"-D {cluster.replica} "),
            ("pgbouncer", "pgbouncer"), ("Redis", "redis-server"), ("the load test's own process", "loadtest.py")]
