"""How the fetch stage makes a call: core, optional, or optional and cached.

Core calls (athlete, activity list, wellness, events) must succeed or the run
stops with a one-line SyncError before any file is touched. Optional calls
become a warning on failure; a cached one falls back to the stored answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from ..errors import ApiFailed, AuthFailed
from ..sources import errors as api_errors
from .status import Tally
from .store import Store

T = TypeVar("T")


def core_call(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a core API call, turning client errors into one-line SyncErrors."""
    try:
        return fn(*args, **kwargs)
    except api_errors.AuthError as exc:
        raise AuthFailed(f"{what}: {exc}") from None
    except api_errors.IntervalsError as exc:
        raise ApiFailed(f"{what}: {exc}") from None


def in_parallel(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once (HTTP overlaps; the shared token bucket paces them):
    the first in this thread, each other one in a thread of its own (fewer
    threads, less memory held by stacks and buffers). Results in call order. The
    first failure, in call order, is raised once every call has finished, so a
    failing run fails the same way every time."""
    if len(calls) < 2:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=len(calls) - 1, thread_name_prefix="ingest") as pool:
        futures = [pool.submit(call) for call in calls[1:]]
        first: Future[Any] = Future()
        try:
            first.set_result(calls[0]())
        except BaseException as exc:  # noqa: BLE001 - re-raised below, after the others
            first.set_exception(exc)
        return [future.result() for future in (first, *futures)]


def optional_call(
    what: str, warnings: list[str], fn: Callable[..., T], *args: Any, **kwargs: Any
) -> T | None:
    """An optional call: on failure record a warning and return None."""
    try:
        return fn(*args, **kwargs)
    except api_errors.IntervalsError as exc:
        warnings.append(f"{what} unavailable: {exc}")
        return None


def cached_call(
    store: Store, key: str, ttl: float, fetch: Callable[[], Any], now: float | None = None
) -> tuple[Any, bool]:
    """(value, fetched): a cached response younger than ttl, else a fresh one.
    A failed fetch (None) falls back to the cached value of any age."""
    now = time.time() if now is None else now
    value = store.cached(key, max_age=ttl, now=now)
    if value is not None:
        return value, False
    fresh = fetch()
    if fresh is None:
        return store.cached(key), False
    store.put_cache(key, fresh, now=now)
    return fresh, True


def cached_optional(
    store: Store,
    key: str,
    ttl: float,
    what: str,
    warnings: list[str],
    tally: Tally,
    fn: Callable[..., Any],
    *args: Any,
    now: float,
    **kwargs: Any,
) -> Any:
    """`cached_call` of an optional call; `tally` records the call when one is
    made (a fresh cached answer makes none), whether it failed and whether a
    stale stored copy covered the failure."""
    failed: list[bool] = []

    def fetch() -> Any:
        value = optional_call(what, warnings, fn, *args, **kwargs)
        failed.append(value is None)
        return value

    value, _ = cached_call(store, key, ttl, fetch, now=now)
    if failed:
        tally.record(failed[0], covered=value is not None)
    return value
