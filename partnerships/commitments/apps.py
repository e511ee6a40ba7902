from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    """Commitments (a party's planned contribution), their deliveries and the upload."""

    name = "partnerships.commitments"
    label = "commitments"
    verbose_name = "Commitments and deliveries"

    def ready(self) -> None:
        from partnerships import sections
        from partnerships.commitments import selectors

        sections.register(
            sections.Section(
                name="commitments",
                title="Delivery",
                template="commitments/_section.jinja",
                summary_template="commitments/_summary.jinja",
                data=lambda partnership, user, page: selectors.commitment_summary(
                    partnership, user=user, page=page
                ),
                paged=True,
                summary_data=lambda partnership, user: selectors.commitment_headline(
                    partnership, user=user
                ),
                order=10,
            )
        )
