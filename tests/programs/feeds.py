"""The content of issue starlette #793, for the programs beside this file
(each runs as a script, so this directory is first on its sys.path)."""


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
