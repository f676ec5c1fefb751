from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Hash registry"

    def ready(self) -> None:
        from registry.roles import ensure_roles

        # After every app's permissions exist (they are made on post_migrate too).
        post_migrate.connect(ensure_roles, dispatch_uid="registry.ensure_roles")
