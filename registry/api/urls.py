from django.urls import path

from registry.api import views

app_name = "api"
urlpatterns = [
    path("cases", views.CaseCreateView.as_view(), name="cases"),
    path("feed", views.FeedView.as_view(), name="feed"),
]
