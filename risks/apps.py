from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risks"

    def ready(self) -> None:
        from partnerships import sections
        from risks import selectors

        sections.register(
            sections.Section(
                name="risks",
                title="Risks",
                template="risks/_section.jinja",
                summary_template="risks/_summary.jinja",
                data=lambda partnership, user: selectors.partnership_risks(partnership, user),
                order=20,
            )
        )
