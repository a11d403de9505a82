"""The --no-name-gender measuring hook (lexicon.ablate_name_gender) empties the given-name lists everywhere.

Each module that imports MALE_NAMES or FEMALE_NAMES by name holds its own reference, so a hook that emptied a
hand-kept list of modules would silently stop ablating when a split moved the names' readers elsewhere. Run in
a fresh interpreter: the hook changes module globals for good.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Two invented speakers whom only their given names tell apart by sex: no pronoun, title or "sir" in the text.
STORY = (
    '"The tide turns at six," said Harriet.\n\n'
    '"Then we sail at five," said Edmund.\n\n'
    '"At five it is," said Harriet.\n\n'
    '"Bring the lamp," said Edmund.\n'
)

PROBE = r"""
import importlib, json, sys
from pathlib import Path
import narrator.lexicon as lexicon
from tests.attribution_helpers import segments_of
from narrator.characters import find_characters

shipped = (lexicon.MALE_NAMES, lexicon.FEMALE_NAMES)
story, segs = segments_of(sys.argv[1])
before = {c.name: c.gender for c in find_characters(story, segs)}
if sys.argv[2] == "ablate":
    lexicon.ablate_name_gender()
# Every module of the package whose source reads the lists, imported now (after the hook, as a late import would be).
for name in json.loads(sys.argv[3]):
    importlib.import_module(name)
holders = sorted(f"{n}.{a}" for n, m in sys.modules.items() if n.startswith("narrator")
                 for a, v in vars(m).items() if any(v is s for s in shipped))
after = {c.name: c.gender for c in find_characters(story, segs)}
print(json.dumps({"before": before, "after": after, "holders": holders}))
"""


def _readers() -> list[str]:
    """The narrator modules whose source names a given-name list."""
    found = []
    for path in sorted((ROOT / "narrator").rglob("*.py")):
        if re.search(r"\b(?:MALE|FEMALE)_NAMES\b", path.read_text(encoding="utf-8")):
            found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def _probe(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, STORY, mode, json.dumps(_readers())], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_ablate_name_gender_empties_every_module_that_holds_the_given_name_lists():
    readers = _readers()
    assert "narrator.lexicon" in readers and len(readers) >= 2  # the lists are read outside lexicon too
    kept = _probe("keep")
    assert kept["before"] == kept["after"] == {"Harriet": "female", "Edmund": "male"}
    assert any(h.startswith("narrator.lexicon.") for h in kept["holders"])
    ablated = _probe("ablate")
    assert ablated["before"] == {"Harriet": "female", "Edmund": "male"}
    assert ablated["holders"] == []  # no module, however late it was imported, still holds a shipped list
    assert ablated["after"] == {"Harriet": "unknown", "Edmund": "unknown"}
