"""Slow clients against the device's HTTP server, and /healthz latency meanwhile.

  python3 slow_clients.py PORT CLIENTS PROBES

Opens CLIENTS connections that send a partial request header and then one byte a second (a
slowloris); a connection the server closes is opened again, so CLIENTS stay connected. Meanwhile
PROBES sequential GET /healthz requests (each on a new connection) are timed. Prints one JSON line:
p50 and p99 latency in ms, failed probes, slow connections the server closed.
"""
import json
import socket
import sys
import threading
import time

port, clients, probes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
PARTIAL = b"GET /v1/status HTTP/1.1\r\nHost: device\r\nX-Slow: "
stop = threading.Event()
closed_by_server = 0


def slow_client():
    global closed_by_server
    while not stop.is_set():
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(PARTIAL)
            while not stop.is_set():
                time.sleep(1.0)
                connection.sendall(b"x")
        except OSError:
            closed_by_server += 1
            time.sleep(0.1)


def probe():
    started = time.perf_counter()
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n")
        reply = b""
        while True:
            chunk = connection.recv(4096)
            if not chunk:
                break
            reply += chunk
        connection.close()
        if not reply.startswith(b"HTTP/1.1 200"):
            return None
    except OSError:
        return None
    return (time.perf_counter() - started) * 1000.0


threads = [threading.Thread(target=slow_client, daemon=True) for _ in range(clients)]
for thread in threads:
    thread.start()
time.sleep(2.0 if clients else 0)
latencies, failed = [], 0
for _ in range(probes):
    latency = probe()
    if latency is None:
        failed += 1
    else:
        latencies.append(latency)
    time.sleep(0.02)
stop.set()
latencies.sort()
def percentile(fraction):
    return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] if latencies else float("inf")
print(json.dumps({"p50_ms": round(percentile(0.5), 2), "p99_ms": round(percentile(0.99), 2), "failed": failed,
                  "closed_by_server": closed_by_server}))
