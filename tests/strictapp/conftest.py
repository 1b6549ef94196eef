# The README: in a strict suite, the import is the first line of conftest.py
# (the multipart fix acts while starlette.requests is first imported).
import starlette_asyncstream  # noqa: F401
