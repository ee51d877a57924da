from django.urls import path

from clientfocus.deals import views

app_name = "deals"
urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/edit/", views.deal_update, name="update"),
    path("<int:pk>/advance/", views.deal_advance, name="advance"),
    path("company/<int:company_id>/new/", views.deal_create, name="create"),
    # The status funnel of a company (seeds 001, 003), next to the deals that move it.
    path("company/<int:pk>/status/", views.company_status, name="company_status"),
    path("company/<int:pk>/liquidate/", views.company_liquidate, name="company_liquidate"),
]
