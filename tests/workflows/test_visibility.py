"""Operators' view: search attributes, kept current, queried on the real dev server."""

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.api.workflowservice.v1 import UpdateNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from reclamations.cli.temporal_setup import setup
from reclamations.workflows.monthly_register import MONTHLY_REGISTER_SCHEDULE
from reclamations.workflows.search import KEYS
from tests.conftest import DEV_SERVER
from tests.office import action, until
from tests.workflows.test_lean_runs import SHORT

# The query the Web UI reads a workflow's current details by.
BUILT_IN_METADATA = "__temporal_workflow_metadata"


async def listed(office, query: str, expected: set[str]) -> set[str]:
    """The complaints of this test matching `query`, once visibility has caught up."""
    full = f"TaskQueue = '{office.settings.task_queue}' AND {query}"

    async def found() -> set[str]:
        return {w.id async for w in office.client.list_workflows(full)}

    return await until(
        found, lambda ids: ids == expected, what=f"{expected} for {query}", every=0.1
    )


async def test_visibility_queries_follow_each_complaint(dev_office):
    office = dev_office
    today = await office.today()
    answered = await office.start(reference="VIS-ANSWERED")
    suspended = await office.start(reference="VIS-SUSPENDED", channel="post", category="contract")
    old = await office.start(
        reference="VIS-OLD", first_written_on=str(today - timedelta(days=70)), medical=True
    )
    ids = {h.id for h in (answered, suspended, old)}
    assert await listed(office, "ComplaintStatus = 'received'", ids - {old.id}) == ids - {old.id}
    # Written first 70 days ago: already past its 2 months.
    assert await listed(office, "ComplaintStatus = 'overdue'", {old.id}) == {old.id}
    assert await listed(office, "Medical = true", {old.id}) == {old.id}

    await office.act(answered, action("qualify"))
    await office.act(answered, action("assign", assignee="agent.martin"))
    await office.act(suspended, action("suspend", reason="legal_expertise"))
    assert await listed(office, "ComplaintStatus = 'in_progress'", {answered.id}) == {answered.id}
    assert await listed(office, "AssignedTo = 'agent.martin'", {answered.id}) == {answered.id}
    assert await listed(office, "ComplaintStatus = 'suspended'", {suspended.id}) == {suspended.id}
    assert await listed(
        office, "ComplaintChannel = 'post' AND ComplaintCategory = 'contract'", {suspended.id}
    ) == {suspended.id}

    await office.act(answered, action("answer", decision="upheld", reasons="Réglé."))
    assert await listed(office, "ComplaintStatus = 'answered'", {answered.id}) == {answered.id}
    assert await listed(office, "ComplaintStatus = 'in_progress'", set()) == set()

    state = await office.state(old)
    # Visibility wants whole instants; a deadline is indexed at noon of its day, local time.
    soon = f"{state.plan.final_due + timedelta(days=1)}T00:00:00Z"
    assert await listed(office, f"FinalDue < '{soon}'", {old.id}) == {old.id}
    later = f"{(await office.state(answered)).plan.final_due}T00:00:00Z"
    assert await listed(office, f"FinalDue >= '{later}'", ids - {old.id}) == ids - {old.id}


async def test_the_web_ui_reads_a_summary_and_details_without_personal_data(dev_office):
    office = dev_office
    handle = await dev_office.start(reference="VIS-SUMMARY", category="benefits")
    description = await handle.describe()
    summary = await description.static_summary()
    details = await description.static_details()
    assert summary == "Réclamation VIS-SUMMARY · courriel · prestations"
    assert "Hélène" not in summary + details and "Envoyée le" in details
    await office.settled(handle)


async def test_temporal_setup_registers_the_search_attributes_once(settings, keyring):
    fresh = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER), dev_server_log_level="error"
    )
    try:
        address = fresh.client.service_client.config.target_host
        configured = settings.model_copy(update={"temporal_address": address})
        added, schedules, mismatch = await setup(configured)
        assert added == sorted(key.name for key in KEYS)
        assert len(schedules) == 3 and all(schedules.values())
        assert mismatch is None  # the dev server keeps closed histories a day
        # Issue 28: a namespace that keeps closed histories longer than the retention is named.
        await fresh.client.workflow_service.update_namespace(
            UpdateNamespaceRequest(
                namespace="default",
                config=NamespaceConfig(
                    workflow_execution_retention_ttl=Duration(seconds=3650 * 86400)
                ),
            )
        )
        again, schedules, mismatch = await setup(configured)
        assert again == [] and not any(schedules.values())  # once only: the Schedules too
        assert mismatch is not None and "3650 jours" in mismatch
        monthly = await fresh.client.get_schedule_handle(MONTHLY_REGISTER_SCHEDULE).describe()
        [calendar] = monthly.schedule.spec.calendars
        assert [r.start for r in calendar.day_of_month] == [1] and calendar.hour[0].start == 6
        assert monthly.schedule.spec.time_zone_name == "Europe/Paris"
        listing = await fresh.client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        assert listing.custom_attributes["FinalDue"] == IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
    finally:
        await fresh.shutdown()


@SHORT
async def test_a_long_life_keeps_its_search_attributes_from_run_to_run(dev_office):
    office = dev_office
    handle = await office.start(reference="VIS-LONG")
    first = (await handle.describe()).run_id
    for turn in range(12):
        await office.act(handle, action("assign", assignee=f"agent.{turn % 2}"))
    await office.act(handle, action("qualify"))
    description = await handle.describe()
    assert description.run_id != first  # continued as new
    # The continued run has no summary of its own: its details open with the first one's.
    metadata = await handle.query(BUILT_IN_METADATA, result_type=WorkflowMetadata)
    assert metadata.current_details.startswith(
        "Réclamation VIS-LONG · courriel · prestations (suite) · Statut : "
    )
    assert await listed(office, "ComplaintStatus = 'in_progress'", {handle.id}) == {handle.id}
    assert await listed(office, "AssignedTo = 'agent.1'", {handle.id}) == {handle.id}
    assert await listed(office, "ComplaintChannel = 'email'", {handle.id}) == {handle.id}
