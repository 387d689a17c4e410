"""The embedded Valkey the launcher starts keeps its data across a crash (append-only file under VAR_DIR)."""

import signal
import subprocess
import time

import redis

from mangaassist.launcher import valkey_command, wait_for_redis


def test_it_keeps_a_queued_task_across_a_kill_9(tmp_path):
    sock = tmp_path / "valkey.sock"
    command = valkey_command(sock, tmp_path)
    assert "--appendonly" in command and command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--dir") + 1] == str(tmp_path)
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for_redis(f"unix://{sock}")
        redis.Redis(unix_socket_path=str(sock)).lpush("mangaassist", "a queued turn")
        time.sleep(1.5)  # appendfsync everysec: at most the last second is at risk
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for_redis(f"unix://{sock}")
        assert redis.Redis(unix_socket_path=str(sock)).lrange("mangaassist", 0, -1) == [b"a queued turn"]
        assert (tmp_path / "valkey-aof").is_dir()
    finally:
        server.kill()
        server.wait(10)
