from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works before login too (the login page has it).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("clientfocus.portfolio.urls")),
    path("companies/", include("clientfocus.companies.urls")),
    path("activities/", include("clientfocus.activities.urls")),
    path("imports/", include("clientfocus.imports.urls")),
    path("deals/", include("clientfocus.deals.urls")),
    path("planning/", include("clientfocus.planning.urls")),
    path("admin/", admin.site.urls),
]
