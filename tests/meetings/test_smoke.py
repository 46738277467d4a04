from meetings.models import MaterialVersion


def test_detail_and_viewer_render(meeting, personas, client_for):
    c = client_for(personas.sato)
    r = c.get(f"/meetings/{meeting.pk}/")
    assert r.status_code == 200, r.content[:2000]
    r = c.get(f"/meetings/materials/{meeting.material.pk}/")
    assert r.status_code == 200
    v = MaterialVersion.objects.get(material=meeting.material)
    r = c.get(f"/meetings/versions/{v.pk}/pages/1/full/")
    assert r.status_code == 200 and r["Content-Type"] == "image/webp"
    r = c.get(f"/meetings/{meeting.pk}/live/")
    assert r.status_code == 200
    r = client_for(personas.suzuki).get(f"/meetings/{meeting.pk}/")
    assert r.status_code == 200
    r = c.get(f"/meetings/{meeting.pk}/binder.pdf")
    assert r.status_code == 200
    r = c.get("/meetings/?q=Budget")
    assert "予算資料" in r.content.decode()
    assert c.get("/").status_code == 200
