from tests.reviews.conftest import _review_state, senior, thresholds  # noqa: F401
