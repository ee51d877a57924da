from django.urls import path

from clientfocus.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.key_accounts, name="key_accounts"),
    path("company/<int:pk>/", views.plan, name="plan"),
    path("company/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/done/", views.visit_done, name="visit_done"),
]
