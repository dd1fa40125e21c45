"""What a run tells people: its record (the handler's JSON), the notice, the run's metrics.

- `run`: the run report, filled in as the flow learns things;
- `notice`: the SNS notice, a pure function of the report;
- `chat`: the notice as an Amazon Q Developer (Chatbot) custom notification, pure;
- `metrics`: the run's CloudWatch metrics, written once at its end.
"""

from healer.report import metrics
from healer.report.chat import render_chat
from healer.report.notice import render_notice, should_notify
from healer.report.run import PhaseReport, RunReport, fit_result

__all__ = [
    "PhaseReport",
    "RunReport",
    "fit_result",
    "metrics",
    "render_chat",
    "render_notice",
    "should_notify",
]
