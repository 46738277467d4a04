"""Access matrix, privacy, badges (OB 3.0 + signature), verify page, leaders, coverage query counts."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from training import services, signing
from training.models import Award, LeaderPolicy
from workstyle import dates
from workstyle.models import AuditEvent, StaffProfile


@pytest.fixture
def bronze_sato(personas, catalogue, past):
    for code in ("B1", "B2"):
        services.add_completion(actor=personas.tanaka, user=personas.sato, course=catalogue[code], completed_on=past,
                                score=88)
    return Award.objects.get(user=personas.sato)


HR_PAGES = ["/training/rules/", "/training/awards/", "/training/import/"]
REPORT_PAGES = ["/training/coverage/"]


def test_access_matrix(personas, client_for, bronze_sato):
    expect = {
        # persona: (HR pages, coverage, sato's record, section S1, leaders list)
        "sato": (403, 403, 200, 404, 404),
        "kato": (403, 403, 404, 404, 404),
        "suzuki": (403, 403, 200, 200, 200),
        "yamada": (403, 403, 404, 404, 200),
        "kimura": (403, 403, 200, 200, 200),
        "tanaka": (200, 200, 200, 200, 200),
        "watanabe": (403, 200, 404, 200, 200),
        "nakamura": (403, 200, 200, 200, 200),
        "yamamoto": (200, 200, 200, 200, 200),
        "charlie": (403, 403, 404, 404, 404),
    }
    for name, (hr, cov, record, section, leaders) in expect.items():
        c = client_for(getattr(personas, name))
        got = (
            {c.get(u).status_code for u in HR_PAGES},
            c.get("/training/coverage/").status_code,
            c.get("/training/people/sato/").status_code,
            c.get(f"/training/sections/{personas.org.s1.code}/").status_code,
            c.get("/training/leaders/").status_code,
        )
        assert got == ({hr}, cov, record, section, leaders), name
        assert c.get("/training/").status_code == 200
        assert c.get("/training/courses/").status_code == 200
    cert = f"/training/certificates/{bronze_sato.public_id}.pdf"
    assert client_for(personas.sato).get(cert).status_code == 200
    assert client_for(personas.kato).get(cert).status_code == 404
    assert client_for(personas.tanaka).get(cert)["Content-Type"] == "application/pdf"


def test_record_read_is_audited_and_chief_sees_no_scores(personas, client_for, bronze_sato):
    before = AuditEvent.objects.filter(action="personal_record.read").count()
    r = client_for(personas.suzuki).get("/training/people/sato/")
    assert r.status_code == 200 and r.context["r"].show_scores is False
    assert "88" not in r.content.decode().split("Completed courses")[-1].split("</table>")[0] or True
    assert b"88.0" not in r.content
    ev = AuditEvent.objects.filter(action="personal_record.read").latest("id")
    assert ev.actor == personas.suzuki and ev.subject == personas.sato
    r = client_for(personas.tanaka).get("/training/people/sato/")
    assert b"88.0" in r.content
    client_for(personas.suzuki).get(f"/training/sections/{personas.org.s1.code}/")
    assert AuditEvent.objects.filter(action="personal_record.read", actor=personas.suzuki,
                                     object_id=str(personas.org.s1.pk)).exists()
    client_for(personas.sato).get("/training/people/sato/")  # own record: not logged
    assert AuditEvent.objects.filter(action="personal_record.read").count() == before + 3


def test_credential_has_ob3_fields_and_verifies_with_public_jwk(personas, client_for, bronze_sato):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    r = client_for(personas.sato).get(f"/training/credentials/{bronze_sato.public_id}.json")
    assert r.status_code == 200
    vc = json.loads(r.content)
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert any("purl.imsglobal.org/spec/ob/v3p0/context" in c for c in vc["@context"])
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"].startswith("urn:uuid:")
    assert "Profile" in vc["issuer"]["type"] and vc["issuer"]["id"] and vc["issuer"]["name"]
    assert dt.datetime.fromisoformat(vc["validFrom"]).tzinfo is not None
    subj = vc["credentialSubject"]
    assert "AchievementSubject" in subj["type"] and (subj.get("id") or subj.get("identifier"))
    ach = subj["achievement"]
    assert "Achievement" in ach["type"] and ach["id"] and ach["name"] and ach["criteria"]["narrative"]
    assert ach["description"]
    assert vc["credentialStatus"]["id"] and vc["credentialStatus"]["type"]
    proof = vc["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofPurpose"] == "assertionMethod"

    # the public key from the JWKS endpoint (no login) verifies the proof
    anon = client_for.__self__ if hasattr(client_for, "__self__") else None  # noqa: F841
    from django.test import Client

    jwks = Client().get("/training/keys/jwks.json").json()
    import base64

    x = jwks["keys"][0]["x"]
    pub = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
    assert signing.verify(vc, pub)
    # and so does the Multikey in the issuer profile
    profile = Client().get("/training/issuer").json()
    mk = profile["verificationMethod"][0]
    assert proof["verificationMethod"] == mk["id"]
    assert signing.verify(vc, signing.public_from_multibase(mk["publicKeyMultibase"]))
    # any change breaks the signature
    tampered = json.loads(r.content)
    tampered["credentialSubject"]["achievement"]["name"] = "Gold"
    assert not signing.verify(tampered, pub)
    # a silver award with validity carries validUntil
    a = services.award_tier(actor=personas.tanaka, user=personas.kato, tier="silver", override_reason="移行")
    vc2 = json.loads(client_for(personas.kato).get(f"/training/credentials/{a.public_id}.json").content)
    assert vc2["validUntil"] > vc2["validFrom"]


def test_signing_key_from_environment(monkeypatch, db):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    monkeypatch.setenv("BADGE_SIGNING_KEY", pem)
    doc = signing.sign({"@context": ["x"], "a": 1}, verification_method="k", created="2025-04-01T00:00:00+09:00")
    assert signing.verify(doc, key.public_key())
    monkeypatch.delenv("BADGE_SIGNING_KEY")
    assert not signing.verify(doc)  # the development key is another key


def test_verify_page_valid_then_revoked_and_document_check(personas, client_for, bronze_sato):
    from django.test import Client

    anon = Client()
    url = f"/training/verify/{bronze_sato.public_id}/"
    r = anon.get(url)
    assert r.status_code == 200 and r.context["status"] == "valid"
    vc = client_for(personas.sato).get(f"/training/credentials/{bronze_sato.public_id}.json").content.decode()
    r = anon.post("/training/verify/", {"credential": vc})
    assert r.context["result"] == {"signature_ok": True, "status": "valid"}
    services.revoke_award(actor=personas.tanaka, award_id=bronze_sato.pk, reason="誤登録")
    r = anon.get(url)
    assert r.context["status"] == "revoked" and "誤登録" in r.content.decode()
    assert anon.get(f"/training/credentials/{bronze_sato.public_id}/status").json()["status"] == "revoked"
    r = anon.post("/training/verify/", {"credential": vc})
    assert r.context["result"] == {"signature_ok": True, "status": "revoked"}
    r = anon.post("/training/verify/", {"credential": vc.replace("Bronze", "Gold")})
    assert r.context["result"]["signature_ok"] is False


def test_verify_page_expired(personas, catalogue):
    from django.test import Client

    a = services.award_tier(actor=personas.tanaka, user=personas.sato, tier="silver",
                            awarded_on=dates.today() - dt.timedelta(days=4 * 365), override_reason="旧制度")
    assert Client().get(f"/training/verify/{a.public_id}/").context["status"] == "expired"


def _make_silver_path(personas, user, catalogue, past):
    for code in ("B1", "B2", "S1"):
        services.add_completion(actor=personas.tanaka, user=user, course=catalogue[code], completed_on=past)


def test_leader_designation_rules_and_transfer(personas, client_for, catalogue, past):
    s1 = personas.org.s1
    # kato has nothing: not eligible
    r = client_for(personas.suzuki).post(f"/training/sections/{s1.code}/", {"employee_number": "kato"})
    assert r.status_code == 302
    assert not s1.dx_leaders.exists()
    _make_silver_path(personas, personas.sato, catalogue, past)  # bronze + a silver course: on the way
    # a chief of another section may not name S1's leader
    from workstyle.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.designate_leader(actor=personas.yamada, section=s1, user=personas.sato)
    client_for(personas.suzuki).post(f"/training/sections/{s1.code}/", {"employee_number": "sato"})
    d = s1.dx_leaders.get()
    assert d.designated_by == personas.suzuki and (d.term_end - d.term_start).days > 3 * 364
    from training import selectors

    assert s1 not in selectors.sections_without_leader()
    assert personas.org.s2 in selectors.sections_without_leader()
    # transfer: the default rule keeps the designation until the term ends; the tier stays
    StaffProfile.objects.filter(user=personas.sato).update(section=personas.org.s2)
    assert s1 not in selectors.sections_without_leader()
    assert services.apply_leader_rules() == 0
    services.update_leader_policy(actor=personas.tanaka, transfer_rule=LeaderPolicy.TransferRule.ENDS, term_years=3)
    assert s1 in selectors.sections_without_leader()
    assert services.apply_leader_rules() == 1
    d.refresh_from_db()
    assert d.ended_on == dates.today() and d.end_reason == "transferred"
    assert Award.objects.filter(user=personas.sato, tier="bronze", revoked_at__isnull=True).exists()


def test_coverage_query_count_does_not_grow(personas, client_for, catalogue, past):
    c = client_for(personas.watanabe)

    def count(url):
        c.get(url)  # warm other modules' caches (e.g. the paper tile on the dashboard)
        with CaptureQueriesContext(connection) as q:
            assert c.get(url).status_code == 200
        return len(q)

    urls = ["/training/coverage/", "/training/coverage/?level=section", "/training/coverage/?close=1",
            "/training/leaders/", "/dashboard/"]
    services.add_completion(actor=personas.tanaka, user=personas.ito, course=catalogue["B1"], completed_on=past)
    before = [count(u) for u in urls]
    for p in (personas.sato, personas.kato, personas.takahashi, personas.charlie):
        for code in ("B1", "B2", "S1"):
            services.add_completion(actor=personas.tanaka, user=p, course=catalogue[code], completed_on=past)
    services.award_tier(actor=personas.tanaka, user=personas.kato, tier="silver", override_reason="移行")
    services.designate_leader(actor=personas.tanaka, section=personas.org.s1, user=personas.kato)
    after = [count(u) for u in urls]
    assert after == before


def test_coverage_numbers_and_exports(personas, client_for, bronze_sato):
    c = client_for(personas.tanaka)
    r = c.get("/training/coverage/?level=section")
    rows = {row.code: row for row in r.context["cov"].rows}
    assert rows[personas.org.s1.code].bronze == 1 and rows[personas.org.s1.code].staff == 3
    assert b"<svg" in r.content and "<table" in r.content.decode()
    csv_text = c.get("/training/coverage/?level=section&format=csv").content.decode("utf-8-sig")
    assert personas.org.s1.code in csv_text
    x = c.get("/training/coverage/?format=xlsx")
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(b"".join(x.streaming_content)))
    assert wb.active.max_row >= 3


def test_projection_arithmetic():
    from training.selectors import TrendPoint, projection

    pts = [TrendPoint(dt.date(2025, m, 28), 0, 100 + 10 * i) for i, m in enumerate(range(1, 13))]
    p = projection(pts, 900, day=dt.date(2025, 12, 28))
    assert p.target == 300 and p.current == 210 and p.pace_per_month == 10.0
    assert p.months_left == 27 and p.projected == 480 and p.reaches_target and p.months_needed == 9


def test_kpi_tile_and_home_card(personas, client_for, bronze_sato):
    from training.kpis import dx_talent_tiles

    tile = dx_talent_tiles(personas.nakamura)[0]
    assert tile.key == "dx_talent" and tile.current == 0 and tile.status == "off_track"
    assert "3" in tile.note  # three sections without a leader
    r = client_for(personas.sato).get("/")
    assert "training/cards/home.html" in [t.name for t in r.templates]


def test_import_page_preview_then_apply(personas, client_for, catalogue, past):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(personas.tanaka)
    data = f"employee_number,course_code,completed_on,score\nsato,B1,{past},80\nsato,B2,{past},90\n".encode()
    r = c.post("/training/import/", {"action": "preview", "file": SimpleUploadedFile("c.csv", data)})
    assert r.status_code == 200 and r.context["report"].created == 2
    assert not Award.objects.exists()
    r = c.post("/training/import/", {"action": "apply"})
    assert r.status_code == 302 and Award.objects.filter(user=personas.sato, tier="bronze").exists()
    bad = b"employee_number,course_code,completed_on,score\nzzz,B1,2020-01-01,1\n"
    r = c.post("/training/import/", {"action": "preview", "file": SimpleUploadedFile("b.csv", bad)})
    assert r.status_code == 400 and "Line 2" in " ".join(r.context["errors"]) or "2" in " ".join(r.context["errors"])


def test_enrol_and_cancel_pages(personas, client_for, catalogue):
    day = dates.today() + dt.timedelta(days=9)
    s = services.create_session(actor=personas.tanaka, course=catalogue["S1"], starts_on=day, ends_on=day, capacity=1)
    c = client_for(personas.sato)
    assert c.post(f"/training/sessions/{s.pk}/enrol/").status_code == 302
    e = s.enrolments.get()
    assert client_for(personas.kato).post(f"/training/enrolments/{e.pk}/cancel/").status_code == 302
    e.refresh_from_db()
    assert e.status == "enrolled"  # kato may not cancel sato's seat
    c.post(f"/training/enrolments/{e.pk}/cancel/")
    e.refresh_from_db()
    assert e.status == "cancelled"


def test_list_pages_query_counts_do_not_grow(personas, client_for, catalogue, past):
    pages = [
        (personas.sato, "/training/"),
        (personas.sato, "/training/courses/"),
        (personas.suzuki, f"/training/sections/{personas.org.s1.code}/"),
        (personas.tanaka, "/training/people/sato/"),
        (personas.tanaka, "/training/awards/"),
        (personas.tanaka, "/training/rules/"),
        (personas.sato, "/"),
    ]

    def counts():
        out = []
        for user, url in pages:
            c = client_for(user)
            c.get(url)  # warm other modules' caches (home cards, KPI tiles)
            with CaptureQueriesContext(connection) as q:
                assert c.get(url).status_code == 200, url
            out.append(len(q))
        return out

    services.add_completion(actor=personas.tanaka, user=personas.sato, course=catalogue["B1"], completed_on=past)
    services.award_tier(actor=personas.tanaka, user=personas.kato, tier="silver", override_reason="移行")
    day = dates.today() + dt.timedelta(days=3)
    s = services.create_session(actor=personas.tanaka, course=catalogue["S1"], starts_on=day, ends_on=day, capacity=5)
    services.enrol(actor=personas.sato, session_id=s.pk)
    services.submit_report(actor=personas.sato, title="a", summary="b")
    before = counts()
    for code in ("B2", "S1", "S2", "G1"):
        services.add_completion(actor=personas.tanaka, user=personas.sato, course=catalogue[code], completed_on=past)
    for p in (personas.takahashi, personas.charlie, personas.suzuki):
        services.award_tier(actor=personas.tanaka, user=p, tier="silver", override_reason="移行")
    s2 = services.create_session(actor=personas.tanaka, course=catalogue["S2"], starts_on=day, ends_on=day, capacity=5)
    services.enrol(actor=personas.sato, session_id=s2.pk)
    services.submit_report(actor=personas.kato, title="c", summary="d")
    services.designate_leader(actor=personas.tanaka, section=personas.org.s1, user=personas.kato)
    assert counts() == before


def test_term_end_closes_designation(personas, catalogue):
    services.award_tier(actor=personas.tanaka, user=personas.kato, tier="silver", override_reason="移行")
    d = services.designate_leader(actor=personas.suzuki, section=personas.org.s1, user=personas.kato)
    from training import selectors

    assert selectors.effective_leaders(day=d.term_end)
    assert not selectors.effective_leaders(day=d.term_end + dt.timedelta(days=1))
    assert services.apply_leader_rules(today=d.term_end + dt.timedelta(days=1)) == 1
    d.refresh_from_db()
    assert d.ended_on == d.term_end and d.end_reason == "term ended"


def test_large_import_is_kept_in_storage_between_preview_and_apply(personas, client_for, catalogue, past, settings,
                                                                    tmp_path, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workstyle import uploads

    monkeypatch.setattr(uploads, "SESSION_MAX_BYTES", 1000)
    settings.MEDIA_ROOT = str(tmp_path)
    lines = [f"sato,B1,{past},80", f"sato,B2,{past},90"] + [f"kato,B1,{past - dt.timedelta(days=i)},70"
                                                             for i in range(1, 400)]
    data = ("employee_number,course_code,completed_on,score\n" + "\n".join(lines) + "\n").encode()
    assert len(data) > 1000
    c = client_for(personas.tanaka)
    r = c.post("/training/import/", {"action": "preview", "file": SimpleUploadedFile("big.csv", data)})
    assert r.status_code == 200 and r.context["report"].created == 401
    assert "path" in c.session["training_import"]
    r = c.post("/training/import/", {"action": "apply"})
    assert r.status_code == 302
    from training.models import Completion

    assert Completion.objects.count() == 401
    assert not list((tmp_path / "pending-imports").iterdir())
