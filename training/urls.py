from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("reports/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:report_id>/review/", views.report_review, name="report_review"),
    path("certificates/<uuid:public_id>.pdf", views.certificate, name="certificate"),
    path("credentials/<uuid:public_id>.json", views.credential, name="credential"),
    path("credentials/<uuid:public_id>/status", views.credential_status, name="credential_status"),
    path("verify/", views.verify_document, name="verify_document"),
    path("verify/<uuid:public_id>/", views.verify, name="verify"),
    path("issuer", views.issuer, name="issuer"),
    path("keys/jwks.json", views.jwks, name="jwks"),
    path("keys/public.pem", views.public_key_pem, name="public_pem"),
    path("courses/", views.courses, name="courses"),
    path("courses/<str:code>/", views.course, name="course"),
    path("sessions/<int:session_id>/enrol/", views.enrol, name="enrol"),
    path("sessions/<int:session_id>/", views.session_roster, name="session"),
    path("enrolments/<int:enrolment_id>/cancel/", views.cancel, name="cancel"),
    path("import/", views.import_completions, name="import"),
    path("rules/", views.rules_page, name="rules"),
    path("awards/", views.awards_page, name="awards"),
    path("people/<str:number>/", views.person, name="person"),
    path("sections/<str:code>/", views.section, name="section"),
    path("leaders/", views.leaders, name="leaders"),
    path("coverage/", views.coverage, name="coverage"),
]
