"""Issue 28: the compliance team's erasure page. Plain forms: erase a closed complaint (refused,
saying why, while it is open or held), place and lift a legal hold; for compliance alone. An
erased complaint then reads « [effacé] » on its page."""

from __future__ import annotations

import httpx
import pytest

from reclamations.domain.access import Principal, Role
from tests.office import Office
from tests.web.conftest import login

DOCTOR = Principal("dr.conseil", Role.medical_advisor)
NAME = "Zephyrine Quincampoix"


@pytest.mark.parametrize("settings", [{"erasure_minimum_days": 0}], indirect=True)
async def test_compliance_erases_a_closed_complaint_from_its_page(
    http: httpx.AsyncClient, office: Office
) -> None:
    handle = await office.start(
        complainant={"name": NAME, "email": "zq@example.fr"}, description="Texte à effacer"
    )
    reference = handle.id.removeprefix("complaint-")

    await login(http, "camille")
    assert (await http.get("/conformite/effacement")).status_code == 403

    http.cookies.clear()
    csrf = await login(http, "ines")
    page = await http.get("/conformite/effacement", params={"reference": reference})
    assert page.status_code == 200 and f"Effacer définitivement {reference}" in page.text
    erase, hold = (
        f"/conformite/effacement/{reference}",
        f"/conformite/effacement/{reference}/conservation",
    )

    refused = await http.post(erase, data={"csrf_token": csrf})
    assert refused.status_code == 409 and "pas close" in refused.text

    await office.service.act(DOCTOR, reference, "withdraw", {})
    await handle.result()
    office.started_ids.discard(handle.id)

    held = await http.post(hold, data={"csrf_token": csrf, "reason": "litigation"})
    assert held.status_code == 303
    assert "Conservation imposée enregistrée" in (await http.get(held.headers["location"])).text
    refused = await http.post(erase, data={"csrf_token": csrf})
    assert refused.status_code == 409 and "conservation imposée (litige en cours)" in refused.text
    lifted = await http.post(hold, data={"csrf_token": csrf, "reason": "lift"})
    assert lifted.status_code == 303
    erased = await http.post(erase, data={"csrf_token": csrf})
    assert erased.status_code == 303
    assert "Réclamation effacée." in (await http.get(erased.headers["location"])).text

    http.cookies.clear()
    await login(http, "louise")
    shown = await http.get(f"/complaints/{reference}")
    assert shown.status_code == 200
    assert "[effacé]" in shown.text and "Quincampoix" not in shown.text
    assert "Texte à effacer" not in shown.text
