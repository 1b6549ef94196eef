"""What a user of a pinned stack runs, for tests/stack: argv[1] is the probe.

    sse       an EventSourceResponse pinging every 0.2 s while three events
              come 0.3 s apart (through httpx's ASGI transport): prints the
              body the client received, or "ERROR <type>: <message>"
    pydantic  a model with a field declared by annotation and a forward
              reference: prints its fields, then whether FastAPI imports

The application's import order: starlette_asyncstream first, as the README asks.
"""

import asyncio
import sys
from typing import Optional  # noqa: F401  (the forward reference below names it)

import starlette_asyncstream  # noqa: F401


def sse():
    import httpx
    from sse_starlette.sse import EventSourceResponse

    async def events():
        for i in range(3):
            yield {"data": str(i)}
            await asyncio.sleep(0.3)

    async def app(scope, receive, send):
        await EventSourceResponse(events(), ping=0.2)(scope, receive, send)

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return (await client.get("/")).text

    loop = asyncio.new_event_loop()
    try:
        print(repr(loop.run_until_complete(main())))
    except Exception as exc:
        while getattr(exc, "exceptions", None):  # anyio task groups wrap it
            exc = exc.exceptions[0]
        print("ERROR %s: %s" % (type(exc).__name__, exc))
    finally:
        loop.close()


def pydantic():
    from pydantic import BaseModel

    class Item(BaseModel):
        name: str
        child: "Optional[Item]" = None

    Item.update_forward_refs(Item=Item)
    print("fields:", list(Item.__fields__), Item(name="a", child={"name": "b"}).child.name)
    import fastapi  # noqa: F401

    print("fastapi imports")


{"sse": sse, "pydantic": pydantic}[sys.argv[1]]()
