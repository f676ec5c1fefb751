from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from registry.api import views, webhook_views

app_name = "api"
urlpatterns = [
    path("cases", views.CaseCreateView.as_view(), name="cases"),
    path("cases/status", views.CaseStatusView.as_view(), name="case-status"),
    path("cases/items", views.CaseItemsView.as_view(), name="case-items"),
    path("cases/withdraw", views.CaseWithdrawView.as_view(), name="case-withdraw"),
    path("feed", views.FeedView.as_view(), name="feed"),
    path("export", views.ExportView.as_view(), name="export"),
    path("feedback", views.FeedbackView.as_view(), name="feedback"),
    path("match", views.MatchView.as_view(), name="match"),
    path("webhook", webhook_views.WebhookView.as_view(), name="webhook"),
    path("webhook/test", webhook_views.WebhookTestView.as_view(), name="webhook-test"),
    path("webhook/secret", webhook_views.WebhookSecretView.as_view(), name="webhook-secret"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
