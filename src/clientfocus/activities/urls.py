from django.urls import path

from clientfocus.activities import views

app_name = "activities"
urlpatterns = [
    path("company/<int:company_id>/new/", views.activity_create, name="create"),
    path("<int:pk>/done/", views.activity_done, name="done"),
]
