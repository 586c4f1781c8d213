"""Embedding throughput on this machine: torch vs int8 ONNX vs static, and how close they are.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/embedding_throughput.py [--n 600]

Texts: a seeded sample of clothing reviews (~90 word pieces each) and 20 one-to-four-word
feedback texts (where int8 errors are largest, as they do not average out over many tokens).
Each embedder is loaded and warmed up first; the figure is texts per wall-clock second on all
the cores. Cosine is to the torch vectors of the same texts (the static model lives in another
space; its quality shows as NMI in ``end_to_end.py``). The hardware reference is NumPy's float32
matrix product on the same cores: the fraction of it that the torch path reaches shows how
close to the machine's limit float32 already is; int8 can at best double that on AVX2.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _perf import TEXT, add_data_argument, clothing_sample, load_note, machine_note
from _static import StaticEmbedder  # benchmark-local: the library no longer offers it

from noomarketing.embedding import (
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    default_model_path,
)

SHORT = ["ok", "great", "bad", "love it", "too small", "fits", "meh", "no", "yes!",
         "perfect dress", "returned it", "awful quality", "cute", "nice", "late", "rude staff",
         "expensive", "cheap fabric", "5 stars", "would not buy again"]

LAYER_WEIGHTS = 6 * (4 * 384 * 384 + 2 * 384 * 1536)  # MiniLM-L6 matrix weights per token


def timed(embedder, texts: list[str], repeat: int = 1) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    for _ in range(repeat):
        vectors = embedder.encode(texts)
    return vectors, repeat * len(texts) / (time.perf_counter() - start)


def model_flops(texts: list[str]) -> float:
    """Multiply-adds ×2 of MiniLM over the texts' word pieces (attention included)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))
    tokenizer.enable_truncation(256)
    lengths = np.array([len(e.ids) for e in tokenizer.encode_batch(texts)], dtype=float)
    return float(np.sum(2 * LAYER_WEIGHTS * lengths + 6 * 4 * 384 * lengths**2))


def sgemm_gflops(size: int = 2048, repeat: int = 5) -> float:
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    a @ a
    start = time.perf_counter()
    for _ in range(repeat):
        a @ a
    return repeat * 2 * size**3 / (time.perf_counter() - start) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--n", type=int, default=600, help="reviews to embed (default 600)")
    args = parser.parse_args()
    started = time.perf_counter()
    texts = clothing_sample(args.n, seed=1, data=args.data)[TEXT].astype(str).tolist()
    print(machine_note(), flush=True)
    print(f"{len(texts)} clothing reviews", flush=True)

    torch_emb = SentenceTransformerEmbedder(progress=False)
    onnx_emb, static_emb = OnnxEmbedder(progress=False), StaticEmbedder(progress=False)
    for embedder in (torch_emb, onnx_emb, static_emb):
        embedder.encode(texts[:16])

    plain, torch_rate = timed(torch_emb, texts)
    fast, onnx_rate = timed(onnx_emb, texts)
    _, static_rate = timed(static_emb, texts, repeat=20)
    cos = (fast * plain).sum(axis=1)
    cos_short = (onnx_emb.encode(SHORT) * torch_emb.encode(SHORT)).sum(axis=1)
    flops, peak = model_flops(texts), sgemm_gflops()

    print(f"\n{'embedder':28} {'texts/s':>9} {'× torch':>8} {'GFLOP/s':>8}  cosine to torch")
    print(f"{'torch (sentence-transformers)':28} {torch_rate:9.1f} {1:8.2f} "
          f"{flops * torch_rate / len(texts) / 1e9:8.1f}  1")
    print(f"{'onnx int8':28} {onnx_rate:9.1f} {onnx_rate / torch_rate:8.2f} "
          f"{flops * onnx_rate / len(texts) / 1e9:8.1f}  reviews mean {cos.mean():.4f} "
          f"min {cos.min():.4f}; one-to-four words mean {cos_short.mean():.4f} "
          f"min {cos_short.min():.4f}")
    print(f"{'static (distilled)':28} {static_rate:9.0f} {static_rate / torch_rate:8.0f} "
          f"{'-':>8}  n/a (own 256-d space)")
    print(f"\nNumPy float32 matmul on these cores: {peak:.0f} GFLOP/s; torch reaches "
          f"{flops * torch_rate / len(texts) / 1e9 / peak:.0%} of it")
    print(f"target 2: onnx ≥ 2× torch: {onnx_rate / torch_rate:.2f}×; cosine ≥ 0.97: "
          f"min {min(cos.min(), cos_short.min()):.3f}")
    print(f"total {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
