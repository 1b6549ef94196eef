"""A FastAPI JSON route, as in FastAPI's tutorial: `POST /items/` takes an
Item model; `POST /pair/` takes two body parameters. Imports the package
first (STARLETTE_ASYNCSTREAM_DISABLE decides what it fixes). Served by
uvicorn in tests/e2e, imported in process by tests/fastapi_pins."""

import starlette_asyncstream  # noqa: F401

from fastapi import Body, FastAPI, Request
from pydantic import BaseModel


class Item(BaseModel):
    name: str
    price: float


app = FastAPI()


@app.post("/items/")
async def create_item(item: Item):
    return item


@app.post("/pair/")
async def pair(item: Item, count: int = Body(...)):
    return {"item": item, "count": count}


@app.post("/raw/")
async def raw(request: Request):  # no body parameter: the endpoint reads the body itself
    return {"json": await request.json()}
