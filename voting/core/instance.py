"""Create a local instance folder with fresh secrets: ``python -m voting.core.instance``.

Used by ``make run`` so a newcomer gets working secrets without copying any
from the repository; production sets VOTING_SECRET_KEY and VOTING_PSEUDONYM_KEY.
"""

import secrets
import sys
from pathlib import Path

TEMPLATE = """# Local secrets of this instance, generated once. Never commit this file.
SECRET_KEY = {secret_key!r}
PSEUDONYM_KEY = {pseudonym_key!r}
# Development: mails to residents are written to the log instead of being sent.
MAIL_TO_LOG = True
"""


def ensure_instance_config(instance: Path) -> Path:
    """Write instance/config.py with random secrets unless it exists."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "config.py"
    if not path.exists():
        path.write_text(
            TEMPLATE.format(secret_key=secrets.token_hex(32), pseudonym_key=secrets.token_hex(32)),
            encoding="utf-8",
        )
        path.chmod(0o600)
    return path


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("instance")
    print(f"Instance configuration: {ensure_instance_config(folder)}")
