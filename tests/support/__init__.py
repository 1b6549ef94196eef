"""What the tests share, one home for each: support.releases (the running
releases against the range table, the strict loop runner, fresh
interpreters; importing it sets the opt-out), installs, contents, streaming,
servers (also used by scripts/bench.py, so it imports nothing but the
standard library), e2e."""
