from django.apps import AppConfig


class SyncConfig(AppConfig):
    """What a mirror needs besides the lists: every change (``history/``) and every deletion
    (``deleted/``) of the domain's objects, recorded as they happen, scoped by the access policy."""

    name = "buddying.sync"
    label = "sync"
    verbose_name = "Changes and deletions"

    def ready(self) -> None:
        from buddying.sync import recording

        recording.connect()
