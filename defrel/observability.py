"""What a deployment watches: one log line per request (JSON with LOG_FORMAT=json) and errors
sent to Sentry when SENTRY_DSN is set."""
import json
import logging
import time

logger = logging.getLogger("defrel.requests")

REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "cpu_ms", "db")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, the request's fields."""

    def format(self, record):
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        line.update({name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class RequestLogMiddleware:
    """Logs each request at INFO on ``defrel.requests``: method, path, status, milliseconds
    until the response was ready (a streamed export's body is sent after), how many of them
    its thread spent on a processor (the rest is waiting: for the database, for a processor
    shared with other work) and the database aliases it used (defrel.replicas)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start, processor = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        # The processor's window inside the clock's (read after it starts, before it ends), so
        # that the processor time can never come out longer than the time it was spent in.
        processor = time.thread_time() - processor
        duration = time.perf_counter() - start
        logger.info("%s %s %s", request.method, request.path, response.status_code, extra={
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round(duration * 1000, 1),
            "cpu_ms": round(processor * 1000, 1),
            "db": ",".join(getattr(request, "databases_used", ())),
        })
        return response


def logging_config(log_format, level):
    """settings.LOGGING: plain text by default, JSON lines with ``log_format == "json"``
    (request lines included: defrel.requests logs at INFO then)."""
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "defrel.observability.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["console"], "level": level},
    }
    if log_format == "json":
        config["handlers"]["console"]["formatter"] = "json"
        config["loggers"] = {"defrel.requests": {"level": "INFO"}}
    return config


def init_sentry(dsn, environment):
    """Errors and their requests go to Sentry (its Django integration is on by default);
    nothing is sent, and the SDK is not even imported, without a DSN."""
    if not dsn:
        return False
    import sentry_sdk

    # No personal data: editors' names, addresses and cookies stay out of error reports.
    sentry_sdk.init(dsn=dsn, environment=environment, send_default_pii=False)
    return True
