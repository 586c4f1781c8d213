"""Shared fixtures: the real model is loaded once per session; the embedding cache is private
(see the root ``conftest.py``)."""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """Hypothesis keeps caches in ./.hypothesis: they go to pytest's temp folder instead."""
    factory = getattr(config, "_tmp_path_factory", None)
    try:
        from hypothesis.configuration import set_hypothesis_home_dir
    except ImportError:
        return
    if factory is not None:
        set_hypothesis_home_dir(factory.mktemp("hypothesis"))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("embedding-cache"))


@pytest.fixture(scope="session")
def embedder():
    """The real bundled all-MiniLM-L6-v2, loaded once for the whole session."""
    from noomarketing.embedding import SentenceTransformerEmbedder

    model = SentenceTransformerEmbedder(progress=False)
    model.encode(["warm up"])
    return model


TEST_SEED = int(os.environ.get("NOOMARKETING_TEST_SEED", "0"))
"""Shifts the random seeds of the fixtures (corpus shuffles, folds): the suite must pass for any."""


@pytest.fixture(scope="session")
def seed() -> int:
    return TEST_SEED


@pytest.fixture(scope="session")
def themed(seed):
    from corpus import themed_feedback

    return themed_feedback(seed=7 + seed)


@pytest.fixture(scope="session")
def model_store(tmp_path_factory) -> str:
    """A private folder for the exported/distilled model files (made once per session)."""
    return str(tmp_path_factory.mktemp("model-store"))


@pytest.fixture(scope="session")
def onnx_embedder(model_store):
    """The int8 ONNX export of the bundled model, exported once for the session."""
    from noomarketing.embedding import OnnxEmbedder

    model = OnnxEmbedder(cache_dir=model_store, progress=False)
    model.encode(["warm up"])
    return model


