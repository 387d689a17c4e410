# Fixtures shared with the chat and review suites: the customer's socket, reviewers and their API clients.
from tests.chat.conftest import socket  # noqa: F401
from tests.reviews.conftest import _review_state, api_client, reviewer, senior, thresholds  # noqa: F401
