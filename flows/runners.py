"""The Prefect task runner a run uses: tagging batches go to it (see `tag_batch.submit` in ingest.py)."""

from __future__ import annotations

from flows.config import ConfigError, Settings


def task_runner_for(settings: Settings):
    scale = settings.scale
    if scale.task_runner == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        from flows.ingest import BATCHES_AHEAD

        # a thread for each tagging batch in flight (it waits on the tagging processes), plus the one
        # submitted before the oldest is finished
        return ThreadPoolTaskRunner(max_workers=BATCHES_AHEAD + 1)
    from prefect_dask import DaskTaskRunner

    if scale.task_runner == "dask-local":
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": scale.dask_workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            },
        )
    if scale.task_runner == "dask":
        if not scale.dask_address:
            raise ConfigError("[scale] task_runner = 'dask' needs dask_address, e.g. 'tcp://scheduler:8786'")
        return DaskTaskRunner(address=scale.dask_address)
    raise ConfigError(f"[scale] task_runner must be threads, dask-local or dask, not {scale.task_runner!r}")


def ingest_flow_for(settings: Settings):
    """The ingest flow with the task runner the settings ask for."""
    from flows.ingest import ingest

    return ingest.with_options(task_runner=task_runner_for(settings))
