#!/usr/bin/env python3
"""Load run for `gemba serve`: C clients, each sending non-streaming chat requests back to back
for D seconds (after one warm-up request each). Prints requests/s, generated tokens/s and
latency percentiles per client count, as a Markdown table row.

  python3 bench/serve-load.py --url http://127.0.0.1:8080 --model NAME --clients 1 4 8 \
      --seconds 20 --max-tokens 32

Standard library only (http.client, threads); the server does the work, the client is light.
"""
import argparse
import http.client
import json
import statistics
import threading
import time
from urllib.parse import urlparse


def one_request(conn, model, max_tokens, i, key):
    body = json.dumps({
        "model": model, "temperature": 0, "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": f"Question {i}: what does alarm E-{i % 50} mean?"}],
    })
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    t0 = time.perf_counter()
    conn.request("POST", "/v1/chat/completions", body, headers)
    resp = conn.getresponse()
    data = resp.read()
    dt = time.perf_counter() - t0
    if resp.status != 200:
        return dt, 0, resp.status
    return dt, json.loads(data)["usage"]["completion_tokens"], 200


def run(url, model, clients, seconds, max_tokens, key):
    u = urlparse(url)
    latencies, tokens, errors = [], [0], [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(c):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        one_request(conn, model, max_tokens, c, key)  # warm-up, not counted
        start.wait()
        i = c * 100000
        while time.perf_counter() < deadline[0]:
            dt, n, status = one_request(conn, model, max_tokens, i, key)
            i += 1
            with lock:
                if status == 200:
                    latencies.append(dt)
                    tokens[0] += n
                else:
                    errors[0] += 1
        conn.close()

    deadline = [0.0]
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + 1e9
    start.wait()
    t0 = time.perf_counter()
    deadline[0] = t0 + seconds
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000 if lat else float("nan")

    return {
        "clients": clients, "requests": len(lat), "errors": errors[0], "seconds": elapsed,
        "req_s": len(lat) / elapsed, "tok_s": tokens[0] / elapsed,
        "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
        "mean_ms": statistics.mean(lat) * 1000 if lat else float("nan"),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--model", required=True)
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--api-key", default="")
    a = ap.parse_args()
    print("| clients | requests | errors | req/s | completion tok/s | p50 ms | p90 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for c in a.clients:
        r = run(a.url, a.model, c, a.seconds, a.max_tokens, a.api_key)
        print(f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['req_s']:.2f} | {r['tok_s']:.1f} | "
              f"{r['p50_ms']:.0f} | {r['p90_ms']:.0f} | {r['p99_ms']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
