"""Drift-capable CloudFormation on top of moto 5.2.5, installed at run time.

Modules: ``patches`` (installs everything into moto), ``drift`` (drift detection),
``changes``/``changesets``/``changeset_views``/``execution`` (change-set life cycle, REVERT_DRIFT),
``resource_types``/``types_*`` (reading and writing live resource properties),
``values`` (normalising and comparing values), ``templates`` (parameters, capabilities,
intrinsic resolution with moto's parser), ``faults`` (fault injection and counters),
``timing`` (asynchronous phases), ``control`` (HTTP control API), ``store`` (state).
"""

from .patches import install
from .timing import Phase, Timing

__all__ = ["Phase", "Timing", "install"]
