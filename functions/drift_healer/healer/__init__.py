"""The healer: one durable execution per stack, from drift detection to the notice.

At the top, the flow's building blocks: `handler` (the flow, read top to bottom), `phases`
(its larger phases) and `settings` (the run's configuration). Below them, one package per
family, each importing only from the ones listed after it (docs/architecture.md):

    approval, waits  ->  state  ->  report, aws  ->  policy  ->  model  ->  drift_common
"""
