"""The README and the pages under docs/: every relative link and every #anchor resolves, as
GitHub renders them, every page is on the README's map, and the README stays a front door.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[3]
README = REPO / "README.md"
DOCS = REPO / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 220

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[^)]*)?\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def paragraphs(text: str) -> list[str]:
    """The paragraphs outside fenced code blocks, with code spans (which may run over a line
    break, as in CommonMark) removed."""
    found: list[str] = []
    current: list[str] = []
    fenced = False
    for line in [*text.splitlines(), ""]:
        fence = bool(FENCE.match(line))
        fenced ^= fence
        if line.strip() and not fence and not fenced:
            current.append(line)
        elif current:  # a blank line or a fence ends the paragraph
            found.append(CODE_SPAN.sub("", "\n".join(current)))
            current = []
    return found


def links(text: str) -> list[str]:
    found: list[str] = []
    for paragraph in paragraphs(text):
        found += INLINE_LINK.findall(paragraph)
        found += [m[1] for line in paragraph.splitlines() if (m := REFERENCE.match(line))]
    return found


def heading_text(raw: str) -> str:
    """A heading as rendered: code spans keep their text, links their label, emphasis goes."""
    text = re.sub(r"(`+)(.+?)\1", lambda m: m[2], raw)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    # Emphasis; an underscore inside a word (IGNORE_DRIFT) is not one.
    return re.sub(r"(?<!\w)([*_]{1,3})(\S(?:.*?\S)?)\1(?!\w)", r"\2", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped except '-' and '_',
    each space a '-'."""
    kept = "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor GitHub gives the page's headings (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match is None:
            continue
        base = slug(heading_text(match[2]))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(page: Path) -> list[str]:
    """`target: what is wrong` for every relative link of `page` that does not resolve."""
    problems = []
    for target in links(page.read_text(encoding="utf-8")):
        if SCHEME.match(target) or target.startswith("//"):
            continue  # another site: not checked offline
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not linked.exists():
            problems.append(f"{target}: no such file")
        elif anchor and linked.suffix != ".md":
            problems.append(f"{target}: an anchor into {linked.name}, which has no headings")
        elif anchor and unquote(anchor) not in anchors(linked):
            problems.append(f"{target}: no heading in {linked.name} has this anchor")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_the_readme_maps_every_page_of_the_docs() -> None:
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in links(README.read_text(encoding="utf-8"))
        if not SCHEME.match(target)
    }
    assert [p.name for p in sorted(DOCS.glob("*.md")) if p.resolve() not in linked] == []


def test_the_readme_stays_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        # Anchors GitHub rendered for headings this README has had.
        (
            "Per-stack opt-out: the `drift-healer:mode` tag",
            "per-stack-opt-out-the-drift-healermode-tag",
        ),
        (
            "Waiting for CloudFormation: events, with polling as the fallback",
            "waiting-for-cloudformation-events-with-polling-as-the-fallback",
        ),
        ("Known benign drift: `IGNORE_DRIFT`", "known-benign-drift-ignore_drift"),
        (
            "Answering from a shell: `drift-healer approve | reject | pending`",
            "answering-from-a-shell-drift-healer-approve--reject--pending",
        ),
        (
            "The sandbox's CloudFormation: documented vs guessed",
            "the-sandboxs-cloudformation-documented-vs-guessed",
        ),
    ],
)
def test_anchors_are_made_as_github_makes_them(heading: str, anchor: str) -> None:
    assert slug(heading_text(heading)) == anchor


def test_a_broken_link_or_anchor_is_reported(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# A page\n\n## Its section\n", encoding="utf-8")
    (tmp_path / "picture.png").write_bytes(b"")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n"
        "[fine](other.md#its-section) [self](#title) [web](https://example.com/x#y)\n"
        "![picture](picture.png) [gone](missing.md) [no such section](other.md#nope)\n"
        "[no such anchor here](#nope) `[in code](nowhere.md)`\n\n"
        "```\n[in a block](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    assert [problem.split(":")[0] for problem in broken_links(page)] == [
        "missing.md",
        "other.md#nope",
        "#nope",
    ]
