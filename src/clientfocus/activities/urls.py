from django.urls import path

from clientfocus.activities import feedback_views, views, weekly_views

app_name = "activities"
urlpatterns = [
    path("company/<int:company_id>/new/", views.activity_create, name="create"),
    path("<int:pk>/done/", views.activity_done, name="done"),
    path("feedback/", feedback_views.feedback_list, name="feedback_list"),
    path(
        "feedback/company/<int:company_id>/request/",
        feedback_views.feedback_request_create,
        name="feedback_request",
    ),
    path("feedback/<int:pk>/answer/", feedback_views.feedback_answer, name="feedback_answer"),
    path("week/", weekly_views.weekly_plan_page, name="week"),
    path("week/build/<int:seller_id>/", weekly_views.weekly_plan_build_view, name="week_build"),
    path("week/<int:pk>/accept/", weekly_views.weekly_plan_accept_view, name="week_accept"),
    path("week/<int:pk>/add/", weekly_views.weekly_plan_add_view, name="week_add"),
    path("week/<int:pk>/plan.ics", weekly_views.weekly_plan_ics, name="week_ics"),
    path("week/item/<int:pk>/edit/", weekly_views.weekly_item_edit_view, name="week_item_edit"),
    path("week/item/<int:pk>/remove/", weekly_views.weekly_item_remove_view, name="week_item_remove"),
]
