"""The embedded mode's channel layer: Channels' in-memory layer, safe to send to from other threads.

The in-memory layer's queues belong to the event loop that serves the websockets; the fan-out thread
(``monitoring.fanout``) and the sweep thread run loops of their own. Sends from another loop are
handed to the serving loop, which alone touches the queues.
"""
import asyncio

from channels.layers import InMemoryChannelLayer


class InProcessChannelLayer(InMemoryChannelLayer):
    _home: asyncio.AbstractEventLoop | None = None

    async def receive(self, channel):
        self._home = asyncio.get_running_loop()
        return await super().receive(channel)

    async def group_send(self, group, message):
        await self._on_home(super().group_send(group, message))

    async def send(self, channel, message):
        await self._on_home(super().send(channel, message))

    async def _on_home(self, coroutine):
        home = self._home
        if home is None or home.is_closed() or home is asyncio.get_running_loop():
            await coroutine
        else:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, home))
