"""Documents are files (rules 12 and 16), through real HTTP against the real app, a
real worker and the dev server: uploads by the API, the mail room's form and the complaint
page; types read from content; sizes bounded; medical files encrypted and for the Médecin
Conseil alone."""

import hashlib
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from reclamations.domain.access import Role
from reclamations.domain.content import SEALED_FROM_OUTSIDE
from reclamations.web.app import create_app
from tests.office import intake_data
from tests.web.conftest import login


def a_pdf(text: str = "Facture opticien : 185,00 €") -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def a_png(colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def stored_files(office) -> list[Path]:
    return [p for p in office.settings.resolved_files_dir.rglob("*") if p.is_file()]


async def registered(api, office, **changes):
    data = intake_data(await office.today(), **changes)
    response = await api.post("/api/complaints", json=data)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


async def upload(client, reference, content, name="piece.pdf", kind="supporting_document"):
    return await client.post(
        f"/api/complaints/{reference}/documents",
        files={"file": (name, content, "application/octet-stream")},
        data={"kind": kind},
    )


async def test_a_file_sent_by_the_api_is_kept_and_shown_to_agents(api, http, office, tokens):
    reference = await registered(api, office)
    pdf = a_pdf()
    response = await upload(api, reference, pdf, name="../../Facture opticien.PDF")
    assert response.status_code == 200, response.text
    [document] = response.json()["documents"]
    assert document["name"] == "Facture opticien.pdf"  # no folders, its real extension
    assert document["kind"] == "supporting_document"
    assert document["file"] == {
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "media_type": "application/pdf",
        "size": len(pdf),
    }
    await login(http, "louise")
    http.headers.pop("Authorization", None)
    page = await http.get(f"/complaints/{reference}")
    href = f"/complaints/{reference}/documents/{document['file']['sha256']}"
    assert href in page.text and "Télécharger" in page.text
    shown = await http.get(href)
    assert shown.status_code == 200 and shown.content == pdf
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert shown.headers["cache-control"] == "no-store"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in shown.headers["content-security-policy"]
    downloaded = await http.get(href, params={"telecharger": "1"})
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    # And to a calling system that may read the complaint.
    by_api = await http.get(
        f"/api/complaints/{reference}/documents/{document['file']['sha256']}",
        headers=await tokens(Role.supervisor),
    )
    assert by_api.status_code == 200 and by_api.content == pdf


async def test_the_same_upload_twice_is_one_file_and_one_document(api, office):
    reference = await registered(api, office)
    png = a_png()
    first, again = (
        await upload(api, reference, png, "photo.png"),
        await upload(api, reference, png, "photo.png"),
    )
    assert first.status_code == again.status_code == 200
    assert len(again.json()["documents"]) == 1
    assert len(stored_files(office)) == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 un programme", "facture.pdf"),  # named .pdf, is not one
        (b"<html><script>alert(1)</script></html>", "page.png"),
        (b"PK\x03\x04 un classeur", "releve.xlsx"),
    ],
)
async def test_a_file_of_another_type_is_refused_by_its_content(api, office, content, name):
    reference = await registered(api, office)
    response = await upload(api, reference, content, name)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["field"] == "file" and "PDF" in problem["message"]
    assert "contenu" in problem["message"]
    assert stored_files(office) == []


@pytest.mark.parametrize("name", ["sealed:v2:k1:REC-2027-000001:AAAA.pdf", "Vu sealed:v1:k:QQ.pdf"])
async def test_a_file_name_that_looks_sealed_is_refused_like_any_text(api, office, name):
    # Issue 23: a file's given name comes from outside too.
    reference = await registered(api, office)
    response = await upload(api, reference, a_pdf(), name)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "file", "message": SEALED_FROM_OUTSIDE}]
    assert stored_files(office) == []


async def test_files_too_big_are_refused_per_file_and_per_complaint(office, tokens):
    settings = office.settings.model_copy(
        update={"max_file_bytes": 4096, "max_complaint_files_bytes": 6000}
    )
    app = create_app(settings, office.sessions, office.keyring, client=office.client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reclamations.test") as api:
        api.headers.update(await tokens(Role.supervisor))
        reference = await registered(api, office)
        big = a_pdf() + b"%" * 5000
        refused = await upload(api, reference, big)
        assert refused.status_code == 422 and "par fichier" in refused.text
        assert (await upload(api, reference, a_pdf("un") + b"%" * 2000)).status_code == 200
        full = await upload(api, reference, a_pdf("deux") + b"%" * 2500)
        assert full.status_code == 422 and "le dossier dépasserait" in full.text


async def test_a_medical_file_is_encrypted_on_disk_and_read_by_the_medecin_conseil_alone(
    http, office, tokens
):
    handle = await office.start(medical=True, channel="post")
    reference = handle.id.removeprefix("complaint-")
    report = a_pdf("Compte rendu opératoire")
    advisor = await tokens(Role.medical_advisor)
    response = await http.post(
        f"/api/complaints/{reference}/documents",
        files={"file": ("compte-rendu.pdf", report, "application/pdf")},
        headers=advisor,
    )
    assert response.status_code == 200, response.text
    [on_disk] = stored_files(office)
    stored = on_disk.read_bytes()
    assert not stored.startswith(b"%PDF") and b"Compte rendu" not in stored
    sha = hashlib.sha256(report).hexdigest()
    # An agent may not add files to it, nor read them.
    agent = await tokens(Role.supervisor)
    refused = await http.post(
        f"/api/complaints/{reference}/documents",
        files={"file": ("x.pdf", a_pdf(), "application/pdf")},
        headers=agent,
    )
    assert refused.status_code == 403
    await login(http, "louise")
    assert (await http.get(f"/complaints/{reference}/documents/{sha}")).status_code == 403
    http.cookies.clear()
    await login(http, "dr.lemoine")
    opened = await http.get(f"/complaints/{reference}/documents/{sha}")
    assert opened.status_code == 200 and opened.content == report


async def test_a_file_description_from_a_caller_is_refused(api, office):
    reference = await registered(api, office)
    forged = {
        "document": {"name": "faux.pdf"},
        "file": {"sha256": "0" * 64, "media_type": "application/pdf", "size": 10},
    }
    response = await api.post(f"/api/complaints/{reference}/actions/add_document", json=forged)
    assert response.status_code == 422
    assert "multipart" in response.text


async def mail_room_form(http, office, **changes):
    """The mail room's form for a posted complaint, filled in by a logged-in agent."""
    return {
        "csrf_token": await login(http, "camille"),
        "channel": "post",
        "sent_on": str(await office.today()),
        "complainant.name": "Hélène Garnier",
        "complainant.postal_address": "12 rue des Tilleuls\n69003 Lyon",
        "subject": "Cotisation prélevée deux fois",
        "description": "Voir le courrier scanné.",
        **changes,
    }


async def test_the_mail_room_registers_a_posted_complaint_with_its_scan(http, office):
    fields = await mail_room_form(
        http,
        office,
        **{
            "complainant.name": "Łukasz Wałęsa",
            "complainant.postal_address": "12 rue de Łódź\n90-001 Łódź\nPologne",
        },
    )
    scan, attachment = a_pdf("Madame, Monsieur, je conteste"), a_png()
    response = await http.post(
        "/complaints/new",
        data=fields,
        files=[
            ("scan", ("courrier.pdf", scan, "application/pdf")),
            ("attachments", ("releve.png", attachment, "image/png")),
        ],
    )
    assert response.status_code == 303, response.text
    page = await http.get(response.headers["location"])
    assert "courrier de réclamation (scan)" in page.text and "releve.png" in page.text
    assert len(stored_files(office)) == 2


async def test_a_mail_room_file_of_another_type_registers_nothing(http, office):
    fields = await mail_room_form(http, office)
    response = await http.post(
        "/complaints/new", data=fields, files=[("scan", ("scan.pdf", b"GIF89a", "image/gif"))]
    )
    assert response.status_code == 422 and "type de fichier refusé" in response.text
    assert office.started_ids == set()


async def test_a_refused_mail_room_form_names_its_fields_and_its_files_at_once(http, office):
    # Issue 24: every problem at once (the fields' and the files'), under the fields' French
    # labels, and the chosen files named to be chosen again (no browser refills a file field).
    fields = await mail_room_form(http, office, **{"complainant.postal_address": ""})
    fields["documents.1.name"] = "x" * 201  # the second row, the first left empty
    response = await http.post(
        "/complaints/new",
        data=fields,
        files=[
            ("scan", ("courrier.pdf", a_pdf(), "application/pdf")),
            ("attachments", ("releve.gif", b"GIF89a", "image/gif")),
        ],
    )
    assert response.status_code == 422
    summary = response.text.split('role="alert"')[1].split("</div>")[0]
    assert "Adresse postale : obligatoire pour une réclamation reçue par courrier" in summary
    assert "Nom du document 2 : trop long (au plus 200 caractères)" in summary
    second_row = response.text.split('name="documents.1.name"')[1].split("</div>")[0]
    assert "trop long" in second_row
    assert "fichier 2 : type de fichier refusé" in summary
    assert "complainant." not in summary and "documents." not in summary
    assert "choisissez-les de nouveau" in summary
    assert "(courrier.pdf, releve.gif)" in response.text
    assert office.started_ids == set() and stored_files(office) == []


async def test_the_mail_room_files_a_medical_scan_it_may_not_read_back(http, office):
    fields = await mail_room_form(http, office, medical="on", description="Diagnostic joint.")
    scan = a_pdf("Certificat médical")
    response = await http.post(
        "/complaints/new",
        data=fields,
        files=[("scan", ("certificat.pdf", scan, "application/pdf"))],
    )
    assert response.status_code == 303, response.text
    reference = response.headers["location"].rsplit("/", 1)[-1]
    [on_disk] = stored_files(office)
    assert b"Certificat" not in on_disk.read_bytes()
    sha = hashlib.sha256(scan).hexdigest()
    assert (await http.get(f"/complaints/{reference}/documents/{sha}")).status_code == 403
    http.cookies.clear()
    await login(http, "dr.lemoine")
    page = await http.get(f"/complaints/{reference}")
    assert "certificat.pdf" in page.text
    assert (await http.get(f"/complaints/{reference}/documents/{sha}")).content == scan
