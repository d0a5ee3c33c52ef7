"""The data tables pass the checks scripts/build_tables.py runs after building them (columns,
codes, dates, duplicates, known office holders), and the scripts run as modules from the
repository root."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_tables_pass_their_checks():
    done = subprocess.run([sys.executable, "-m", "scripts.check_tables"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0 and done.stdout.strip().endswith("all checks passed"), done.stdout + done.stderr
