"""Shared fixtures: the real model is loaded once per session; the embedding cache is private."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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


@pytest.fixture(scope="session")
def themed():
    from corpus import themed_feedback

    return themed_feedback()


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


@pytest.fixture(scope="session")
def static_embedder(model_store):
    """The static model distilled from the bundled model, distilled once for the session."""
    from noomarketing.embedding import StaticEmbedder

    model = StaticEmbedder(cache_dir=model_store, progress=False)
    model.encode(["warm up"])
    return model
