from django.urls import path

from clientfocus.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/run/", views.run, name="run"),
    path("<int:pk>/mapping/", views.save_mapping, name="save_mapping"),
    path("<int:pk>/report.csv", views.report, name="report"),
    path("<int:pk>/rejects.csv", views.rejects, name="rejects"),
    path("export/", views.export, name="export"),
]
