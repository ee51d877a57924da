from django.urls import path

from clientfocus.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.key_accounts, name="key_accounts"),
    path("company/<int:pk>/", views.plan, name="plan"),
    path("company/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/done/", views.visit_done, name="visit_done"),
    path("goals/", views.goals, name="goals"),
    path("goals/new/", views.goal_new, name="goal_new"),
    path("goals/<int:pk>/", views.goal, name="goal"),
    path("goals/<int:pk>/close/", views.goal_close, name="goal_close"),
    path("market/", views.market_plans, name="market_plans"),
    path("market/<int:pk>/", views.market_plan, name="market_plan"),
    path("groups/", views.groups, name="groups"),
]
