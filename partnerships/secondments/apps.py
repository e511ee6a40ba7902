from django.apps import AppConfig


class SecondmentsConfig(AppConfig):
    """Staff secondments between the parties, the capacity they take from home, and what people
    learned."""

    name = "partnerships.secondments"
    label = "secondments"
    verbose_name = "Secondments and capacity"

    def ready(self) -> None:
        from partnerships import sections
        from partnerships.secondments import selectors

        sections.register(
            sections.Section(
                name="secondments",
                title="Secondments",
                template="secondments/_section.jinja",
                summary_template="secondments/_summary.jinja",
                data=lambda partnership, user: selectors.secondment_summary(partnership, user=user),
                order=30,
            )
        )
