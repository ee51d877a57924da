from django.urls import path

from clientfocus.portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("", views.my_day, name="myday"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("analysis/", views.analysis, name="analysis"),
    path("team/", views.team, name="team"),
    path("settings/", views.analysis_settings, name="settings"),
    path("analysis/recompute/", views.recompute, name="recompute"),
]
