"""The fetch stage: Intervals.icu -> local store -> raw payloads.

One entry point, `fetch_raw`, makes every call of a sync and returns an
`Ingested`: the raw athlete, lists, calendar, curves and per-activity payloads,
with each source's sync status. The pipeline turns that into model records and
`SyncInputs`; documents are shaped only in `outputs/`.

Modules, in the order a sync uses them:

- `calls`      core / optional / cached calls (a core failure stops the run)
- `lists`      activities and wellness: the recent window every run, the
               3-year history in yearly chunks when stale
- `resources`  per-activity messages, intervals, DFA streams and terrain
- `retry`      the retry schedule of intervals/streams (pure state machine)
- `retention`  what the store keeps of them (14 days, refuse-to-prune guard)
- `routes`     route attachments of calendar events (bytes, never stored)
- `curves`     power and HR curves (cached a few hours)
- `status`     `source_status` and the `Tally` of one source's calls
- `store`      the sqlite store: raw records, resources, fetch state, cache
- `raw`        the few raw fields scheduling reads

Layering: this package imports only the base helpers and `sources/`. The
fetch stage decides most things on raw fields, read through the small
accessor in `raw.py` (ids, dates, change tokens, pairing), because that is
all scheduling needs and it keeps `model.py` a single step after the store.
Four decisions need a metric or normalized records; the pipeline passes them
in as `Hooks` (plain functions) rather than this package importing upwards:

- `dfa_block` and `terrain` reduce a streams payload before it is stored. The
  streams (tens of thousands of samples per activity) are never kept; the DFA
  block and the terrain keys (metric units, no display blocks) are.
- `curve_plan` picks the curve ids and sport types to request.
- `routes_wanted` picks the route attachments that need a download (those
  without a reusable result in the previous routes.json).
"""

from .fetch import Hooks, Ingested, IngestRequest, fetch_raw
from .status import source_status
from .store import Store
from .store_file import open_store

__all__ = [
    "Hooks",
    "IngestRequest",
    "Ingested",
    "Store",
    "fetch_raw",
    "open_store",
    "source_status",
]
