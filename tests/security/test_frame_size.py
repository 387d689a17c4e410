"""Item 4: uvicorn refuses a WebSocket frame above the protocol's 64 KB before buffering it (its default is 16 MiB);
below it, a bad frame is answered with an `invalid` error and the socket stays open."""

import json
import shlex
import sys

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from mangaassist.launcher import build_manager
from tests.support.processes import _spawn, _stop, free_port, process_env, wait_until

pytestmark = [pytest.mark.slow]


def launcher_uvicorn_options() -> list[str]:
    """The options the launcher gives uvicorn (`make run`), from its real process table."""
    manager = build_manager({"VAR_DIR": "/tmp"}, "127.0.0.1", 8000, None)
    command = manager._processes["web"]["obj"].cmd
    uvicorn = shlex.split(command.split("exec ", 1)[1])
    return uvicorn[uvicorn.index("mangaassist.asgi:application") + 1:]


def test_the_launcher_sets_the_protocol_frame_limit():
    options = launcher_uvicorn_options()
    assert options[options.index("--ws-max-size") + 1] == "65536"


def test_a_frame_above_64_kb_is_refused_by_uvicorn_and_one_below_gets_an_error(transactional_db):
    port = free_port()
    launcher, options = launcher_uvicorn_options(), []
    for i, option in enumerate(launcher):  # the launcher's options, on a free port of our own
        if option not in ("--host", "--port") and (i == 0 or launcher[i - 1] not in ("--host", "--port")):
            options.append(option)
    proc = _spawn([sys.executable, "-m", "uvicorn", "mangaassist.asgi:application", "--host", "127.0.0.1",
                   "--port", str(port), *options], process_env(), "uvicorn-frame-size")
    try:
        def up():
            try:
                with connect(f"ws://127.0.0.1:{port}/ws/chat/", open_timeout=2):
                    return True
            except OSError:
                return False

        wait_until(up, timeout=30, message="uvicorn")
        with connect(f"ws://127.0.0.1:{port}/ws/chat/", open_timeout=10, max_size=None) as ws:
            ws.send("x" * 60_000)  # under the limit, not JSON: an error frame, the socket stays open
            assert json.loads(ws.recv(timeout=10))["code"] == "invalid"
            ws.send(json.dumps({"type": "ping", "ts": 1}))
            assert json.loads(ws.recv(timeout=10))["type"] == "pong"
            ws.send("x" * 70_000)  # over it: uvicorn closes with 1009 (message too big) without reading it all
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)
            assert closed.value.rcvd.code == 1009
    finally:
        _stop(proc)
