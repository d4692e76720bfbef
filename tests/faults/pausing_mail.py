"""The mail intake as `python -m reclamations.mail` runs it, stopping at one moment of a message
so that a test can kill it there (kill -9) and check that nothing is lost or taken twice:

    FAULT_MARKERS=<folder> PAUSE_AT=claimed|registered  python -m tests.faults.pausing_mail

`claimed`: the message is claimed in the ledger with the reference it will have, and nothing
is registered yet; `registered`: its complaint is started, its files not yet joined. A marker
file tells the test the process is there.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from reclamations.mail.__main__ import main
from reclamations.service import ComplaintService

MARKERS = Path(os.environ.get("FAULT_MARKERS", "."))
# Where each moment is: the door's step that comes right after it.
NEXT_STEP = {"claimed": "register", "registered": "_file_mail"}


def pausing(moment: str) -> Any:
    async def pause(self: ComplaintService, *args: Any, **kwargs: Any) -> None:
        (MARKERS / f"mail-{moment}").write_text("paused\n")
        await asyncio.sleep(3600)  # until killed

    return pause


if __name__ == "__main__":
    moment = os.environ["PAUSE_AT"]
    setattr(ComplaintService, NEXT_STEP[moment], pausing(moment))
    asyncio.run(main())
