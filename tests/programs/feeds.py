"""What the programs beside this file share: the content of starlette #793
and a raw ASGI app's lifespan. Each runs as a script (so this directory is
first on its sys.path) or under a server with this directory on PYTHONPATH."""


class Feed:
    """A custom async iterator over `items`: __aiter__/__anext__, not a generator."""

    def __init__(self, items):
        self.items = list(items)
        self.i = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= len(self.items):
            raise StopAsyncIteration
        self.i += 1
        return self.items[self.i - 1]


async def lifespan(scope, receive, send):
    """Answer a raw ASGI app's lifespan scope; True if this was one."""
    if scope["type"] != "lifespan":
        return False
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return True
