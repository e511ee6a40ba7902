"""Celery tasks of the commitments app: they take ids and call the services."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=10 * 60, soft_time_limit=9 * 60)
def process_delivery_upload(upload_id: str) -> str | None:
    """Check and save a large file of deliveries (``services.delivery_upload_process``)."""
    from partnerships.commitments import services

    upload = services.delivery_upload_process(upload_id=upload_id)
    return upload.status if upload else None
