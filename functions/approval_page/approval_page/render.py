"""The approval page's HTML: pure functions of what the page read. Plain HTML and CSS, no
script, no external asset; readable on a phone. Every value is escaped, and every value
that comes from outside (drifted values, the recorded answer) is cleaned of control and
bidi characters (drift_common.text) first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from typing import Any

from drift_common.accept import AcceptPatch
from drift_common.approval import LinkClaims
from drift_common.text import clean_text


def shown(text: str) -> str:
    """Cleaned, then HTML-escaped (quotes too): shown as it reads, on the line it was given."""
    return escape(clean_text(text), quote=True)


CSS = """
body{font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;
background:#f5f6f8;color:#1d2330}
main{max-width:860px;margin:0 auto;padding:16px}
h1{font-size:1.35em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 14px;margin:10px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}
dt{color:#5b6473}dd{margin:0;overflow-wrap:anywhere}
.items{list-style:none;padding:4px 14px}
.items li{padding:8px 0;border-bottom:1px solid #eceff3;overflow-wrap:anywhere}
.items li:last-child{border-bottom:0}
.diff{margin:4px 0 0 12px}
.old{background:#fde8e8;text-decoration:line-through;padding:0 3px}
.new{background:#e3f6e8;padding:0 3px}
code{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}
ul{margin:.3em 0;padding-left:1.3em}
.note{color:#5b6473;font-size:.9em}
.banner{padding:12px 14px;border-radius:8px;margin:10px 0;font-weight:600}
.ok{background:#e3f6e8;border:1px solid #9fd8b0}.bad{background:#fde8e8;border:1px solid #f0a9a9}
.info{background:#e8f0fd;border:1px solid #a9c3f0}
label{display:block;margin:8px 0 4px;color:#5b6473}
input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:8px;border:1px solid #c5cbd5;
border-radius:6px}
.buttons{display:flex;gap:10px;flex-wrap:wrap;margin-top:12px}
button{font:inherit;font-weight:600;padding:10px 22px;border-radius:6px;border:0;cursor:pointer}
.approve{background:#1f7a3a;color:#fff}.reject{background:#b42318;color:#fff}
.keep{background:#1d4ed8;color:#fff}
pre.udiff{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px;
overflow-x:auto;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;margin:6px 0}
.udiff .add{background:#e3f6e8;display:block}.udiff .del{background:#fde8e8;display:block}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        '<meta name=referrer content="no-referrer">'
        f"<title>{shown(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def message_page(title: str, message: str, tone: str = "info", detail: str = "") -> str:
    """A result or refusal: `tone` is ok, bad or info."""
    extra = f"<p class=note>{shown(detail)}</p>" if detail else ""
    return _page(
        title,
        f"<h1>{shown(title)}</h1><div class='banner {tone}'>{shown(message)}</div>{extra}",
    )


def decided_text(answer: dict[str, Any] | None) -> str:
    """`already decided: approved by ...` from the callback's recorded answer."""
    if not answer:
        return "already decided (or expired): this approval is no longer waiting"
    verb = {"APPROVE": "approved", "REJECT": "rejected", "ACCEPT": "kept (accepted)"}.get(
        str(answer.get("Decision"))
    )
    if verb is None:
        return "already answered, with something that was not a decision"
    reason = f" ({answer['Reason']})" if answer.get("Reason") else ""
    return clean_text(f"already decided: {verb} by {answer.get('By') or '(not given)'}{reason}")


def _value(value: Any) -> str:
    return "(absent)" if value is None else str(value)


def _resource(item: dict[str, Any]) -> str:
    return (
        f"<b>{shown(item.get('LogicalResourceId', '?'))}</b> "
        f"<span class=note>{shown(item.get('ResourceType', ''))}</span>"
    )


def _drift_items(drifts: Iterable[dict[str, Any]]) -> str:
    items = []
    for drift in drifts:
        if drift.get("StackResourceDriftStatus") == "DELETED":
            lines = "<div>deleted out of band (approving re-creates it, empty)</div>"
        else:
            lines = "".join(
                f"<div class=diff><code>{shown(d.get('PropertyPath', ''))}</code>: "
                f"<span class=new>{shown(_value(d.get('ExpectedValue')))}</span> &rarr; "
                f"<span class=old>{shown(_value(d.get('ActualValue')))}</span></div>"
                for d in drift.get("PropertyDifferences", [])
            )
        items.append(f"<li class=drift>{_resource(drift)}{lines}</li>")
    return "".join(items) or "<li>no drifted resource reported</li>"


def _change_items(changes: Iterable[dict[str, Any]]) -> str:
    items = []
    for change in changes:
        rc = change.get("ResourceChange", {})
        paths = sorted(
            {
                str(d.get("Target", {}).get("Path") or d.get("Target", {}).get("Name") or "")
                for d in rc.get("Details", [])
            }
            - {""}
        )
        replacement = rc.get("Replacement")
        items.append(
            f"<li class=change>{_resource(rc)}<div>{shown(rc.get('Action', '?'))}"
            + (f", replacement {shown(str(replacement))}" if replacement else "")
            + "".join(f" <code>{shown(p)}</code>" for p in paths)
            + "</div></li>"
        )
    return "".join(items) or "<li>no change listed</li>"


def _diff_html(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        header = line.startswith(("+++ ", "--- ", "@@"))
        kind = "" if header else "add" if line[:1] == "+" else "del" if line[:1] == "-" else ""
        text = escape(clean_text(line), quote=True)
        lines.append(f"<span class={kind}>{text}</span>" if kind else text)
    return "<pre class=udiff>" + "\n".join(lines) + "</pre>"


def _refusal(logical_id: str, path: str, reason: str) -> str:
    if logical_id == "*":
        return reason
    return f"{logical_id}{' ' + path if path else ''}: {reason}"


def keep_section(keep: AcceptPatch | None) -> str:
    """What "Keep the change" would write into the template, shown before anyone decides;
    or why the change cannot be kept automatically (then there is no Keep button)."""
    if keep is None:
        return ""
    if not keep.complete:
        return "<h2>Keep the change instead?</h2>" + _list(
            "It cannot be kept automatically",
            [_refusal(n.logical_id, n.path, n.reason) for n in keep.not_accepted],
        )
    parts = [
        "<h2>Keep the change instead?</h2>",
        "<p class=note>Keeping writes the actual values into the stack's template; the "
        "resources are not changed. Commit this to the template's source: the next deploy "
        "from an unchanged repository reverts it.</p>",
    ]
    if keep.parameter_changes:
        parts.append(
            "<ul class='card items'>"
            + "".join(
                f"<li class=param>parameter <b>{shown(c.key)}</b>: "
                f"<span class=old>{shown(_value(c.old))}</span> &rarr; "
                f"<span class=new>{shown(c.new)}</span></li>"
                for c in keep.parameter_changes
            )
            + "</ul>"
        )
    if keep.diff:
        parts.append(_diff_html(keep.diff))
    return "".join(parts)


def _list(title: str, items: Iterable[str]) -> str:
    listed = [f"<li>{shown(i)}</li>" for i in items]
    return f"<h2>{shown(title)}</h2><ul>{''.join(listed)}</ul>" if listed else ""


def review_page(
    *,
    token: str,
    claims: LinkClaims,
    change_set: dict[str, Any],
    drifts: list[dict[str, Any]],
    request: dict[str, Any] | None,
    keep: AcceptPatch | None = None,
) -> str:
    """GET: everything a reviewer needs, and the form. It decides nothing by itself."""
    stack_id = claims.stack_id
    stack_name = stack_id.split("/")[1] if stack_id.count("/") >= 2 else stack_id
    account = stack_id.split(":")[4] if stack_id.count(":") >= 5 else "?"
    until = datetime.fromtimestamp(claims.expires, UTC).strftime("%Y-%m-%d %H:%M UTC")
    request = request or {}
    facts = [
        ("Stack", stack_name),
        ("Region", claims.region),
        ("Account", account),
        ("Change set", str(change_set.get("ChangeSetName", "?"))),
        (
            "Status",
            f"{change_set.get('Status', '?')} / {change_set.get('ExecutionStatus', '?')}",
        ),
        ("Mode", str(request.get("mode") or "?")),
        ("Waiting until", until),
    ]
    if request.get("drift_age"):
        facts.insert(2, ("Drifted for", str(request["drift_age"])))
    body = [
        f"<h1>Approve reverting drift on {shown(stack_name)}?</h1>",
        "<div class=card><dl>"
        + "".join(f"<dt>{shown(k)}</dt><dd>{shown(v)}</dd>" for k, v in facts)
        + "</dl></div>",
        "<h2>Drifted properties</h2><p class=note>path: <span class=new>template value</span>"
        " &rarr; <span class=old>actual value</span>; approving restores the template value</p>",
        f"<ul class='card items'>{_drift_items(drifts)}</ul>",
        "<h2>Planned changes</h2>",
        f"<ul class='card items'>{_change_items(change_set.get('Changes', []))}</ul>",
        _list("Why a person must decide (safety policy)", request.get("review_reasons") or []),
        _list("Warnings", request.get("warnings") or []),
        keep_section(keep),
    ]
    keep_button = (
        "<button class=keep name=decision value=ACCEPT>Keep the change</button>"
        if keep is not None and keep.complete
        else ""
    )
    body.append(
        "<form method=post class=card>"
        f"<input type=hidden name=t value='{shown(token)}'>"
        "<label for=by>Your name (recorded with the decision)</label>"
        "<input id=by name=by maxlength=100 autocomplete=name>"
        "<label for=reason>Reason (optional)</label>"
        "<textarea id=reason name=reason rows=3 maxlength=1000></textarea>"
        "<div class=buttons>"
        "<button class=approve name=decision value=APPROVE>Approve and heal</button>"
        "<button class=reject name=decision value=REJECT>Reject</button>"
        f"{keep_button}</div>"
        "<p class=note>Approving executes this change set and then checks the stack is in "
        "sync; the notice afterwards says how it went. Whoever holds this link may decide: "
        "do not forward it.</p></form>"
    )
    return _page(f"Drift on {stack_name}", "".join(body))
