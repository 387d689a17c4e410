from django.conf import settings
from django.db import models
from django.db.models import Q


class PromptVersion(models.Model):
    """A versioned system prompt. Exactly one version per name is active; answers record which one produced them."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        APPROVED = "approved"
        ACTIVE = "active"
        RETIRED = "retired"

    name = models.CharField(max_length=64, default="answer")
    version = models.PositiveIntegerField()
    text = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="prompt_name_version_unique"),
            models.UniqueConstraint(fields=["name"], condition=Q(status="active"), name="one_active_prompt_per_name"),
        ]
        ordering = ["name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.status})"

    @classmethod
    def active(cls, name: str = "answer") -> "PromptVersion | None":
        return cls.objects.filter(name=name, status=cls.Status.ACTIVE).first()
