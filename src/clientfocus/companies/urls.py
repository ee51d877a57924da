from django.urls import path

from clientfocus.companies import views, views_dossiers, views_profiles

app_name = "companies"
urlpatterns = [
    path("", views.company_list, name="list"),
    path("<int:pk>/", views.company_detail, name="detail"),
    # Dossiers (seed 001): one per company, one per representative.
    path("<int:pk>/dossier/", views_dossiers.company_dossier, name="dossier"),
    path("<int:pk>/dossier/save/", views_dossiers.company_dossier_save, name="dossier_save"),
    path("contacts/<int:pk>/dossier/", views_dossiers.contact_dossier, name="contact_dossier"),
    path("contacts/<int:pk>/dossier/save/", views_dossiers.contact_dossier_save, name="contact_dossier_save"),
    # The team's ideal customer profile (seed 000): versions, builder, scoring grid.
    path("profiles/", views_profiles.profile_list, name="profiles"),
    path("profiles/new/", views_profiles.profile_new, name="profile_new"),
    path("profiles/<int:pk>/", views_profiles.profile_detail, name="profile"),
    path("profiles/<int:pk>/edit/", views_profiles.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/activate/", views_profiles.profile_activate, name="profile_activate"),
    path("profiles/<int:pk>/grid/", views_profiles.profile_grid, name="profile_grid"),
    path("profiles/<int:pk>/score/", views_profiles.profile_score, name="profile_score"),
]
