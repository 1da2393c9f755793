import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = (
    "import results.methods, results.methods.params, results.cells, results.charts, "
    "results.budget_explanation, "
    "results.numbers, "
    "results.pabulib, sys; "
    "assert 'flask' not in sys.modules and 'sqlmodel' not in sys.modules "
    "and 'sqlalchemy' not in sys.modules and 'matplotlib.pyplot' not in sys.modules "
    "and 'pref_voting' not in sys.modules and 'pabutools' not in sys.modules"
)


def test_counting_and_charts_load_without_web_or_database_code():
    subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, check=True)


FOUNDATION = (
    "import voting, voting.core.codes, voting.core.pseudonyms, sys; "
    "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules; "
    "import voting.core.models, voting.core.db, voting.core.lifecycle, voting.core.audit; "
    "assert 'flask' not in sys.modules and 'werkzeug' not in sys.modules"
)


def test_the_foundation_loads_without_the_web_app():
    subprocess.run([sys.executable, "-c", FOUNDATION], cwd=ROOT, check=True)
