"""kill -9 of the worker in the middle of each kind of activity, then a new worker: every
complaint ends in the right state, every letter exists exactly once, no event lost or doubled."""

import pytest

from tests.faults.conftest import FaultSystem
from tests.office import action, until

ROUNDS = 20


async def wait_for_marker(system: FaultSystem, count: int) -> None:
    async def reached() -> int:
        return len(list(system.markers.iterdir()))

    await until(reached, lambda reached: reached >= count, what="the worker at the pause")


@pytest.mark.parametrize("pause_in", ["letter", "record"])
async def test_a_worker_killed_mid_activity_loses_and_doubles_nothing(
    fault_system: FaultSystem, pause_in: str
):
    system = fault_system
    references = []
    for round_ in range(ROUNDS):
        worker = system.worker(pause_in)
        reference = f"KILL-{pause_in}-{round_:02d}"
        references.append(reference)
        if round_ % 2:
            # A phone complaint: its invitation to write goes out at once, by post.
            await system.start(reference, channel="phone")
        else:
            # A web form complaint qualified at once: its acknowledgement goes by email.
            await system.start(reference, channel="web_form")
            await system.act(reference, action("qualify"))
        await wait_for_marker(system, round_ + 1)
        system.kill_workers()
        assert worker.returncode == -9

    system.worker()  # a healthy worker finishes what the killed ones left halfway
    for reference in references:
        state = await system.check_nothing_lost_or_doubled(reference)
        expected = (
            "written_confirmation_invitation"
            if "phone" in state.intake.channel
            else "acknowledgement"
        )
        assert [letter.kind.value for letter in state.letters] == [expected]
        assert state.status == ("received" if expected != "acknowledgement" else "in_progress")
