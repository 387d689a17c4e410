# Fixtures shared with the chat and review suites: the customer's socket, reviewers and their API clients.
from tests.factories import api_client
