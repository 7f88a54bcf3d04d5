"""Figures of the reliability tests (faults injected, writes acknowledged and lost, inputs tried),
written as JSON to $RELIABILITY_FIGURES_DIR when it is set (docs/reliability.md quotes a run)."""

import json
import os
from pathlib import Path


def record(name, **figures):
    directory = os.environ.get("RELIABILITY_FIGURES_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / f"{name}.json").write_text(json.dumps(figures, indent=1, sort_keys=True))
