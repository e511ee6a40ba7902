from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Outcome reviews (with their schedule and sign-off), learning items and the learning library."""

    name = "partnerships.reviews"
    label = "reviews"
    verbose_name = "Outcome reviews and learning"

    def ready(self) -> None:
        from partnerships import sections, signals
        from partnerships.reviews import schedule, selectors

        signals.partnership_status_changed.connect(
            schedule.on_status_changed, dispatch_uid="reviews-schedule-status"
        )
        signals.partnership_dates_changed.connect(
            schedule.on_dates_changed, dispatch_uid="reviews-schedule-dates"
        )
        sections.register(
            sections.Section(
                name="reviews",
                title="Reviews",
                template="reviews/_section.jinja",
                summary_template="reviews/_summary.jinja",
                data=lambda partnership, user: selectors.partnership_section(partnership, user),
                summary_data=lambda partnership, user: selectors.partnership_section(
                    partnership, user, learning=False
                ),
                order=40,
            )
        )
        sections.register(
            sections.Section(
                name="learning",
                title="Learning",
                template="reviews/_learning.jinja",
                summary_template="reviews/_learning_summary.jinja",
                data=lambda partnership, user: selectors.partnership_section(partnership, user),
                summary_data=lambda partnership, user: selectors.learning_headline(partnership),
                order=45,
            )
        )
