"""Start Anki desktop on a fresh base folder, straight into the deck list.

Run by ``tests.support.desktop`` as ``xvfb-run -a PYTHON launch.py BASE``, so Qt is only ever
imported in that child process. A new base folder makes Anki ask for a language and
confirm it; creating the profile database first, with the language set and the first
run marked done, avoids both dialogs (and the update check, which could only time out
here). The add-on in ``BASE/addons21/`` then drives the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROFILE = "User 1"


def create_profile(base: Path) -> None:
    from aqt.profiles import ProfileManager

    pm = ProfileManager(base)
    pm.setupMeta()
    pm.meta["defaultLang"] = "en_US"
    pm.meta["firstRun"] = False
    pm.meta["check_for_updates"] = False
    pm.create(PROFILE)
    pm.db.execute("update profiles set data = ? where name = '_global'", pm._pickle(pm.meta))
    pm.db.commit()
    pm.db.close()


def main(base: Path) -> None:
    create_profile(base)
    import aqt

    sys.argv = ["anki", "-b", str(base), "-p", PROFILE]
    aqt.run()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
