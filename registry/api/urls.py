from django.urls import path

from registry.api import views

app_name = "api"
urlpatterns = [
    path("cases", views.CaseCreateView.as_view(), name="cases"),
    path("cases/status", views.CaseStatusView.as_view(), name="case-status"),
    path("cases/items", views.CaseItemsView.as_view(), name="case-items"),
    path("cases/withdraw", views.CaseWithdrawView.as_view(), name="case-withdraw"),
    path("feed", views.FeedView.as_view(), name="feed"),
    path("export", views.ExportView.as_view(), name="export"),
    path("feedback", views.FeedbackView.as_view(), name="feedback"),
]
