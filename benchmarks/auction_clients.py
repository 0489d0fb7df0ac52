"""The bidders of the auction benchmark (``bench_auction.py``): client processes that bid through the API,
each as many bidders, and record every answer's status, code and latency."""
import json
import multiprocessing
import re
import threading
import time
from collections import Counter

from scratch import percentile

STARTING, INCREMENT = 1_000_000, 10_000  # yuan
PRICE_IN_DETAIL = re.compile(r"(\d+\.\d{2})")


def client_process(specs: list[tuple[int, str]], auction_id: int, start_at: float, duration: float, pace: float,
                   out) -> None:
    """Threads bidding until ``start_at + duration`` (each at most ``pace`` attempts a second, 0: as
    fast as the answers come); sends the figures through pipe ``out``."""
    import http.client
    import random
    from decimal import Decimal

    seen = {"price": None}
    seen_lock = threading.Lock()
    increment = Decimal(INCREMENT)
    results = []

    def see(price) -> None:
        with seen_lock:
            if seen["price"] is None or price > seen["price"]:
                seen["price"] = price

    def bidder(port: int, token: str, seed: int) -> None:
        rng = random.Random(seed)
        latencies, accepted_latencies, answered, accepted, errors, codes = [], [], 0, 0, Counter(), Counter()
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json",
                   "Accept": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        path = f"/api/v1/auctions/{auction_id}/bids/"
        interval = 1 / pace if pace else 0.0
        next_at = start_at + rng.random() * interval  # paced bidders start out of step
        end = start_at + duration
        while True:
            time.sleep(max(0.0, next_at - time.time()))
            if time.time() >= end:
                break
            next_at = max(next_at + interval, time.time())  # a late answer delays, never bunches, the next
            with seen_lock:
                last = seen["price"]
            base = last if last is not None else Decimal(STARTING) - increment
            amount = base + increment * rng.randint(1, 3)
            began = time.perf_counter()
            try:
                connection.request("POST", path, body=json.dumps({"amount": f"{amount:.2f}"}), headers=headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latency = time.perf_counter() - began
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if status == 201 and isinstance(data, dict) and "price" in data:
                answered += 1
                accepted += 1
                latencies.append(latency)
                accepted_latencies.append(latency)
                see(Decimal(data["price"]))
            elif 400 <= status < 500 and isinstance(data, dict) and data.get("code"):
                answered += 1
                latencies.append(latency)
                codes[data["code"]] += 1
                if data["code"] == "bid_too_low":
                    found = PRICE_IN_DETAIL.findall(str(data.get("detail", "")))
                    if found:
                        see(Decimal(found[-1]))
            else:
                errors[f"HTTP {status}"] += 1
        connection.close()
        results.append({"latencies": latencies, "accepted_latencies": accepted_latencies, "answered": answered,
                        "accepted": accepted, "errors": dict(errors), "codes": dict(codes)})

    threads = [threading.Thread(target=bidder, args=(port, token, n)) for n, (port, token) in enumerate(specs)]
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = time.process_time() - cpu
    errors, codes = Counter(), Counter()
    for r in results:
        errors.update(r["errors"])
        codes.update(r["codes"])
    out.send({"latencies": [x for r in results for x in r["latencies"]],
              "accepted_latencies": [x for r in results for x in r["accepted_latencies"]], "cpu": cpu,
              "answered": sum(r["answered"] for r in results), "accepted": sum(r["accepted"] for r in results),
              "errors": dict(errors), "codes": dict(codes)})
    out.close()


def drive(specs: list[tuple[int, str]], auction_id: int, clients: int, duration: float, pace: float = 0.0) -> dict:
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3  # time for the processes to start
    pipes, processes = [], []
    for k in range(clients):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=client_process, args=(specs[k::clients], auction_id, start_at, duration, pace,
                                                                         send))
        process.start()
        pipes.append(receive)
        processes.append(process)
    parts = [pipe.recv() for pipe in pipes]
    for process in processes:
        process.join()
    latencies = sorted(x for p in parts for x in p["latencies"])
    accepted_latencies = sorted(x for p in parts for x in p["accepted_latencies"])
    errors, codes = Counter(), Counter()
    for p in parts:
        errors.update(p["errors"])
        codes.update(p["codes"])
    answered = sum(p["answered"] for p in parts)
    return {
        "answered": answered, "accepted": sum(p["accepted"] for p in parts),
        "answered_per_s": answered / duration, "accepted_per_s": sum(p["accepted"] for p in parts) / duration,
        "p50_ms": percentile(latencies, 0.5) * 1000 if latencies else None,
        "p99_ms": percentile(latencies, 0.99) * 1000 if latencies else None,
        "max_ms": latencies[-1] * 1000 if latencies else None,
        "accepted_p50_ms": percentile(accepted_latencies, 0.5) * 1000 if accepted_latencies else None,
        "accepted_p99_ms": percentile(accepted_latencies, 0.99) * 1000 if accepted_latencies else None,
        "errors": sum(errors.values()), "error_kinds": dict(errors), "codes": dict(codes),
        "client_cores_busy": round(sum(p["cpu"] for p in parts) / duration, 2),
    }
