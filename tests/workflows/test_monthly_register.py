"""rules 13 and 17: the register of the month past, written by the monthly Schedule's
workflow to the folder the settings name."""

from datetime import timedelta

from openpyxl import load_workbook

from reclamations.workflows.monthly_register import MonthlyRegisterWorkflow
from tests.office import action


async def test_a_run_writes_the_month_past(dev_office):
    office = dev_office
    today = await office.today()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    handle = await office.start(sent_on=str(today))
    last_month = await office.start(sent_on=str(first + timedelta(days=5)))
    await office.act(last_month, action("qualify", product_line="sante", reason="cotisations"))
    for started in (handle, last_month):
        await office.settled(started)
    run_id = f"monthly-register-{office.settings.task_queue}"
    written = await office.client.execute_workflow(
        MonthlyRegisterWorkflow.run, id=run_id, task_queue=office.settings.task_queue
    )
    office.started_ids.discard(run_id)  # not a complaint: nothing to settle
    folder = office.settings.resolved_register_dir
    stem = f"{first:%Y-%m}"
    assert sorted(written) == sorted(
        str(folder / name)
        for name in (f"registre-{stem}.csv", f"registre-{stem}.xlsx", f"statistiques-{stem}.csv")
    )
    book = load_workbook(folder / f"registre-{stem}.xlsx")
    assert book.sheetnames == ["Registre", "Statistiques", "ACPR", "Actions correctives"]
    # Last month's register: the complaint sent last month, not the one sent today.
    header, *rows = book["Registre"].iter_rows(values_only=True)
    lines = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert handle.id.removeprefix("complaint-") not in lines
    line = lines[last_month.id.removeprefix("complaint-")]
    assert (line["gamme"], line["motif"]) == ("Complémentaire santé", "Cotisations")
