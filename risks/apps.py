from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risks"

    def ready(self) -> None:
        from django.urls import reverse

        from partnerships import risk_raising, sections
        from risks import selectors, services

        sections.register(
            sections.Section(
                name="risks",
                title="Risks",
                template="risks/_section.jinja",
                summary_template="risks/_summary.jinja",
                data=lambda partnership, user: selectors.partnership_risks(partnership, user),
                summary_data=lambda partnership, user: selectors.partnership_risks_headline(
                    partnership, user
                ),
                order=20,
            )
        )
        # Other apps (the secondments' talent-pool warning) raise risks through the base app.
        risk_raising.register(
            risk_raising.RiskRegister(
                raise_risk=services.risk_raise,
                url=lambda risk_id: reverse("risks:detail", args=[risk_id]),
            )
        )
