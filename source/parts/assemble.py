"""Concatenate the part files into source/knowledge.yaml, merging top-level lists by key (temporary tool)."""
import re
import sys
from pathlib import Path

ORDER = ["meta", "areas", "topics", "formulas", "drills", "misconceptions", "frameworks", "roadmaps", "references"]
here = Path(__file__).parent
header: list[str] = []
sections: dict[str, list[str]] = {k: [] for k in ORDER}
for part in sorted(here.glob("*.yaml")):
    current = None
    for line in part.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([a-z_]+):\s*$", line)
        if m:
            current = m.group(1)
            if current not in sections:
                sys.exit(f"{part}: unknown top-level key {current}")
            continue
        if current is None:
            if part.name.startswith("00"):
                header.append(line)
            continue
        sections[current].append(line)
out = list(header)
for key in ORDER:
    body = sections[key]
    while body and not body[-1].strip():
        body.pop()
    if body:
        out.append(f"{key}:")
        out.extend(body)
        out.append("")
(here.parent / "knowledge.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
print("wrote", here.parent / "knowledge.yaml")
