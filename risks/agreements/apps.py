from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    """Shared-risk agreements (versions, lines, signatures) and the disputes about them."""

    name = "risks.agreements"
    label = "agreements"
    verbose_name = "Shared-risk agreements and disputes"

    def ready(self) -> None:
        from partnerships import sections
        from risks.agreements import selectors

        sections.register(
            sections.Section(
                name="agreements",
                title="Agreement",
                template="agreements/_section.jinja",
                summary_template="agreements/_summary.jinja",
                data=lambda partnership, user: selectors.partnership_summary(partnership, user),
                summary_data=lambda partnership, user: selectors.partnership_headline(
                    partnership, user
                ),
                order=25,
            )
        )
