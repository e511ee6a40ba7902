from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risks"

    def ready(self) -> None:
        from partnerships import sections

        sections.register(
            sections.Section(
                name="risks",
                template="risks/_section.jinja",
                data=lambda partnership, user: None,
                order=10,
            )
        )
