"""The embed-and-assign work on a Dask cluster equals the single-process path."""

import numpy as np
import pytest

import noomarketing as nm

pytest.importorskip("dask.distributed")


@pytest.mark.slow
def test_local_cluster_assigns_like_one_process(themed, onnx_embedder, tmp_path):
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    from noomarketing.distributed import assign_with_dask

    texts, _ = themed
    model = nm.SegmentModel(embedding=onnx_embedder, use_cache=False, random_state=0)
    model.fit(texts)
    new = [*texts, "the courier lost my parcel", "support never called back", "  "]
    expected = np.concatenate(list(model.predict_batches(new)))
    assert len(set(expected.tolist())) >= 3

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        from_list = assign_with_dask(model, new, client, partition_size=17)
        bag = db.from_sequence(new, npartitions=4)
        from_bag = assign_with_dask(model.save(tmp_path / "m"), bag, client)
        workers = client.run(lambda: __import__("os").getpid())
    assert len(workers) == 2
    np.testing.assert_array_equal(from_list, expected)
    np.testing.assert_array_equal(from_bag, expected)
