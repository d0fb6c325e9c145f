"""Many Server-Sent Events clients at once, in their own process (so they do not share a core with the server):

    python -m bench.fanout PORT COOKIE EVENTS JOB_ID...   (clients are spread evenly over the jobs)

Prints "ready" once every client is connected, then a JSON line: events delivered, in order, and latency.
Each event the producer sends carries {"seq": n, "t": send time}.
"""

import asyncio
import json
import resource
import sys
import time

from .http import Connection

CLIENTS = 1000


async def main(port: int, cookie: str, expected: int, jobs: list[int]) -> dict:
    received: list[list[int]] = [[] for _ in range(CLIENTS)]
    latencies: list[float] = []
    connected = 0
    all_connected = asyncio.Event()

    async def client(index: int) -> None:
        nonlocal connected
        connection = await Connection("127.0.0.1", port, {"Cookie": cookie}).open()

        def on_event(kind: str, data: dict, arrived: float) -> bool:
            if "seq" in data:
                received[index].append(data["seq"])
                latencies.append(arrived - data["t"])
            return len(received[index]) >= expected

        def on_open() -> None:
            nonlocal connected
            connected += 1
            if connected == CLIENTS:
                all_connected.set()

        try:
            path = f"/api/jobs/{jobs[index % len(jobs)]}/events"
            await asyncio.wait_for(connection.events(path, on_event, on_open=on_open), timeout=180)
        except (TimeoutError, OSError, RuntimeError):
            pass
        finally:
            connection.close()

    tasks = []
    for index in range(CLIENTS):
        tasks.append(asyncio.create_task(client(index)))
        if index % 50 == 49:
            await asyncio.sleep(0.05)  # a class arriving, not a single instant
    try:
        await asyncio.wait_for(all_connected.wait(), timeout=90)
    except TimeoutError:
        print(f"only {connected} of {CLIENTS} clients connected", file=sys.stderr, flush=True)
        raise
    await asyncio.sleep(3)  # let the server finish accepting and subscribing
    print("ready", flush=True)
    started = time.monotonic()
    await asyncio.gather(*tasks)
    latencies.sort()
    delivered = sum(len(r) for r in received)
    in_order = all(r == sorted(r) and len(set(r)) == len(r) for r in received)
    return {
        "clients": CLIENTS,
        "delivered": delivered,
        "expected": CLIENTS * expected,
        "in_order": in_order,
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
        "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 1) if latencies else None,
        "seconds": round(time.monotonic() - started, 1),
        "starved_jobs": sorted({jobs[i % len(jobs)] for i, r in enumerate(received) if not r}),
    }


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    port, cookie, expected, *jobs = sys.argv[1:]
    print(json.dumps(asyncio.run(main(int(port), cookie, int(expected), [int(j) for j in jobs]))), flush=True)
