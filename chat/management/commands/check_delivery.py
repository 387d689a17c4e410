from django.core.management.base import BaseCommand, CommandError

from chat.models import Message


class Command(BaseCommand):
    help = "Lists every customer message that has no final answer and is past its deadline; exits 1 if any."

    def handle(self, *args, **options):
        overdue = Message.open_promises().select_related("session").order_by("answer_deadline")
        count = 0
        for message in overdue.iterator():
            count += 1
            self.stdout.write(f"message {message.pk} session {message.session.public_id} "
                              f"deadline {message.answer_deadline.isoformat()}: {message.text[:60]!r}")
        if count:
            raise CommandError(f"{count} customer message(s) past their deadline without a final answer")
        self.stdout.write("every customer message has its final answer or is within its deadline")
