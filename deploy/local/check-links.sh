#!/usr/bin/env bash
# Check that every relative link and #anchor in README.md and docs/*.md resolves: the file or folder exists inside
# the repository, and the anchor names a heading of the target (GitHub's slugs: lower case, punctuation dropped,
# spaces to dashes, -1, -2 … for repeats) or an <a id|name="…">. External http(s) and mailto links are not
# fetched (CI has no network). Links inside code spans and fenced code blocks are not links.
#
#   deploy/local/check-links.sh [FILE.md …]   default: README.md and docs/*.md
#
# Prints one line per broken link (file:line: target: why) and a summary; exits 1 if any link is broken.
# Needs bash and python3 (standard library only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

python3 - "$ROOT" "$@" <<'PY'
import os
import re
import sys
import unicodedata
from urllib.parse import unquote

root = sys.argv[1]
given = sys.argv[2:]
if given:
    files = [os.path.abspath(f) for f in given]
else:
    docs = os.path.join(root, "docs")
    files = [os.path.join(root, "README.md")] + sorted(
        os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
HTML_ANCHOR = re.compile(r"""<a\s[^>]*?(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](target "title") and ![alt](target); the target may be <bracketed>.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")


def slug(text):
    """GitHub's heading anchor: the rendered text, lower-cased, without punctuation, spaces as dashes."""
    text = CODE_SPAN.sub(lambda m: m.group(2), text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images keep their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"(\*+|(?<!\w)_+|_+(?!\w))", "", text)  # emphasis markers
    kept = []
    for ch in text.lower():
        category = unicodedata.category(ch)
        if category[0] in "LMN" or category == "Pc" or ch in " -":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


def lines_outside_fences(path):
    """(line number, text) of every line outside fenced code blocks."""
    with open(path, encoding="utf-8") as handle:
        fence = None
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            opened = FENCE.match(line)
            if fence:
                # A closing fence: the same character, at least as long, nothing after it.
                if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
                    fence = None
                continue
            if opened:
                fence = opened.group(1)
                continue
            yield number, line


anchor_cache = {}


def anchors(path):
    """Every anchor a Markdown file offers: heading slugs (repeats numbered) and HTML ids/names."""
    if path not in anchor_cache:
        found, seen, previous = set(), {}, None
        for _, line in lines_outside_fences(path):
            match = HEADING.match(line)
            text = match.group(2) if match else None
            if text is None and previous is not None and previous.strip() and SETEXT.match(line) and not HEADING.match(previous):
                text = previous.strip()
            if text is not None:
                base = slug(text)
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else f"{base}-{count}")
            found.update(HTML_ANCHOR.findall(line))
            previous = line
        anchor_cache[path] = found
    return anchor_cache[path]


def check(source, target):
    """Why the link is broken, or None."""
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1]
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
        return None  # http(s), mailto, …: not fetched
    path_part, _, anchor = target.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    if path_part:
        resolved = os.path.normpath(os.path.join(root if path_part.startswith("/") else os.path.dirname(source), path_part.lstrip("/")))
        if os.path.commonpath([resolved, root]) != root:
            return "points outside the repository"
        if not os.path.exists(resolved):
            return "no such file or folder"
    else:
        resolved = source
    if anchor:
        if os.path.isdir(resolved) or not resolved.endswith(".md"):
            return None  # line anchors of source files (#L10) are GitHub's, not the file's
        if unquote(anchor).lower() not in anchors(resolved):
            return f"no heading or anchor '#{anchor}' in {os.path.relpath(resolved, root)}"
    return None


broken = checked = 0
for source in files:
    for number, line in lines_outside_fences(source):
        line = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        targets = [m.group(1) for m in INLINE_LINK.finditer(line)]
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            targets.append(definition.group(1))
        for target in targets:
            checked += 1
            why = check(source, target)
            if why:
                broken += 1
                print(f"[links] {os.path.relpath(source, root)}:{number}: {target}: {why}", file=sys.stderr)

summary = f"[links] {checked} links in {len(files)} files"
if broken:
    print(f"{summary}: {broken} broken", file=sys.stderr)
    sys.exit(1)
print(f"{summary}: all resolve", file=sys.stderr)
PY
