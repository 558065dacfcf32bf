"""POSTs one file as the body of POST /v1/predict, again and again, and times each answer.

  python3 post_images.py PORT FILE COUNT

Each request is on a new loopback connection, as a client would send one image. Prints one JSON
line: the answers' statuses, whether every answer was a one-line JSON {"error": ...}, the first
error, p50 and max round-trip in ms, requests that got no answer (the connection refused or cut:
the device died), and the p50 of as many GET /healthz round trips (the same path with nothing to
decode: what the loopback and the HTTP server cost alone).
"""
import collections
import http.client
import json
import statistics
import sys
import time

port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with open(path, "rb") as source:
    body = source.read()


def request(method, target, payload=None):
    """(status, body text, milliseconds), or None when the connection failed."""
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(method, target, body=payload, headers={"Content-Type": "application/octet-stream"})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
    except OSError:
        return None
    return response.status, text, 1000.0 * (time.perf_counter() - started)


statuses, times, unanswered, one_line, first_error = collections.Counter(), [], 0, True, ""
for _ in range(count):
    answer = request("POST", "/v1/predict", body)
    if answer is None:
        unanswered += 1
        continue
    status, text, milliseconds = answer
    statuses[status] += 1
    times.append(milliseconds)
    try:
        error = json.loads(text).get("error", "")
    except ValueError:
        error = ""
    one_line = one_line and bool(error) and "\n" not in error.strip() and "\n" not in text.strip()
    first_error = first_error or error
probes = [answer[2] for answer in (request("GET", "/healthz") for _ in range(count)) if answer]
print(json.dumps({
    "statuses": " ".join(f"{status}x{times_seen}" for status, times_seen in sorted(statuses.items())),
    "one_line": one_line and not unanswered,
    "first_error": first_error,
    "p50_ms": round(statistics.median(times), 2) if times else float("inf"),
    "max_ms": round(max(times), 2) if times else float("inf"),
    "unanswered": unanswered,
    "healthz_p50_ms": round(statistics.median(probes), 2) if probes else float("inf"),
}))
