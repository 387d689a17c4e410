"""Settings of a worker whose turns fail on demand (tests.support.faulty_turns)."""

from mangaassist.settings import *  # noqa: F401,F403
from mangaassist.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.support.faulty_turns.FaultyTurnsConfig"]
