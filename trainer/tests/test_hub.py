"""The per-process event hub, on the real Redis: every viewer gets every entry once, whoever comes and goes."""

import asyncio
import concurrent.futures

from core import redis_clients
from trainer.hub import Hub


def run(coroutine):
    """asyncio.run in a thread of its own (the browser tests' Playwright keeps a loop in the main thread)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class HubTests:
    def test_late_viewers_get_the_backlog_then_live_entries_once(self):
        async def scenario():
            hub, key = Hub(), "hub-test:late"
            client = redis_clients.client()
            client.delete(key)
            first = client.xadd(key, {"n": "1"})
            async with hub.follow(key, "0") as early, hub.follow(key, first) as late:
                client.xadd(key, {"n": "2"})
                got_early = [(await early.next(5))[1]["n"] for _ in range(2)]
                got_late = [(await late.next(5))[1]["n"]]
                assert await late.next(0.3) is None, "nothing repeated"
            return got_early, got_late

        assert run(scenario()) == (["1", "2"], ["2"])

    def test_a_viewer_that_leaves_while_joining_does_not_starve_the_next(self):
        async def scenario():
            hub, key = Hub(), "hub-test:cancelled"
            client = redis_clients.client()
            client.delete(key)

            async def join_and_wait():
                async with hub.follow(key, "0") as subscription:
                    await subscription.next(30)

            leaving = asyncio.create_task(join_and_wait())
            await asyncio.sleep(0)  # it is now inside its first await, on the way in
            leaving.cancel()
            await asyncio.gather(leaving, return_exceptions=True)
            async with hub.follow(key, "0") as subscription:
                await asyncio.sleep(0.1)
                client.xadd(key, {"n": "live"})
                entry = await subscription.next(5)
            return entry and entry[1]["n"]

        assert run(scenario()) == "live"
