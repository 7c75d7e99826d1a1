"""docs/python.md's script runs and reaches its verdicts: the correct score and sampler pass, both slips are caught."""

import os
import subprocess
import sys
from pathlib import Path


def test_the_check_sampler_script_of_docs_python_md():
    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ, PYTHONPATH=str(root / "clients" / "python"))
    run = subprocess.run([sys.executable, str(root / "docs" / "python" / "check_sampler.py")], cwd=root, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert any(l.startswith("hand-written score ") and l.endswith(": ok") for l in lines)
    assert any("sigma for sigma^2 (a slip)" in l and l.endswith(": WRONG") for l in lines)
    assert any(l.startswith("Euler-Maruyama ") and l.endswith(": ok") for l in lines)
    assert any("noise h (a slip)" in l and l.endswith(": WRONG") for l in lines)
