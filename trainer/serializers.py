from dataclasses import asdict

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .catalog import LABS
from .catalog.lab import Lab, specs
from .catalog.names import NAMES
from .generation import MAX_LENGTH, MAX_PROMPT
from .models import Job

# The shapes of a job's JSON columns, for the schema (generated clients get types, not untyped objects). One
# schema serves every lab: a lab's own names and kinds are in GET /api/labs/.
SETTING_VALUE = {"oneOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}]}
# A measured figure: mostly a number; some labs report a table (a confusion matrix) or figures per model.
FIGURE = {
    "nullable": True,
    "oneOf": [{"type": "number"}, {"type": "string"}, {"type": "array", "items": {}}, {"type": "object"}],
}


def lab_description(lab: Lab) -> dict:
    """A lab and its hyperparameter schema, in the active language (the API's /api/labs/ and the page)."""
    return {
        "slug": lab.slug,
        "title": _(lab.title),
        "summary": _(lab.summary),
        "steps_field": lab.steps_field,
        "time_limit_s": lab.time_limit_s,
        "charts": [{**asdict(chart), "title": _(chart.title)} for chart in lab.charts],
        "visuals": list(lab.visuals),
        "presets": lab.presets,
        "names": {key: _(words) for key, words in NAMES.items()},
        "hyperparameters": [
            {
                "name": name,
                "kind": spec.kind,
                "label": _(spec.label),
                "help": _(spec.help),
                "default": default,
                "minimum": spec.minimum,
                "maximum": spec.maximum,
                "log": spec.log,
                "choices": [{"value": v, "label": _(label)} for v, label in spec.choices],
            }
            for name, (spec, default) in specs(lab.config, get_language()).items()
        ],
    }


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class HyperparameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["float", "int", "choice", "bool"])
    label = serializers.CharField()
    help = serializers.CharField()
    default = serializers.JSONField(help_text="A number, a choice's value or a boolean, as `kind` says.")
    minimum = serializers.FloatField(allow_null=True)
    maximum = serializers.FloatField(allow_null=True)
    log = serializers.BooleanField()
    choices = ChoiceSerializer(many=True)


class ChartSerializer(serializers.Serializer):
    title = serializers.CharField()
    series = serializers.ListField(child=serializers.CharField())
    log_y = serializers.BooleanField()


class LabSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    steps_field = serializers.CharField()
    time_limit_s = serializers.IntegerField()
    charts = ChartSerializer(many=True)
    visuals = serializers.ListField(child=serializers.CharField())
    presets = serializers.DictField(
        child=serializers.DictField(), help_text="Other defaults for a device, e.g. a larger model on `cuda`."
    )
    names = serializers.DictField(
        child=serializers.CharField(),
        help_text="The words for reported keys (metrics, model variants, classes) in the request's language.",
    )
    hyperparameters = HyperparameterSerializer(many=True)


@extend_schema_field(
    {"type": "object", "additionalProperties": SETTING_VALUE, "description": "Hyperparameters by name."}
)
class ParamsBodyField(serializers.DictField):
    """A request's hyperparameters: checked against the lab by the service, typed here for the schema."""


class JobSubmitSerializer(serializers.Serializer):
    lab = serializers.ChoiceField(choices=list(LABS), help_text="A lab slug from /api/labs/.")
    params = ParamsBodyField(
        required=False,
        default=dict,
        help_text="Hyperparameters by name; the ones left out take their defaults.",
    )


class EstimateSerializer(serializers.Serializer):
    params = ParamsBodyField(required=False, default=dict, help_text="Hyperparameters, as for a job.")


class EstimateResultSerializer(serializers.Serializer):
    seconds = serializers.FloatField(allow_null=True, help_text="None until a worker has measured the lab.")
    limit_s = serializers.IntegerField()
    fits = serializers.BooleanField()
    field = serializers.CharField(help_text="The hyperparameter that counts steps or epochs.")
    largest = serializers.IntegerField(allow_null=True, help_text="The most steps that fit.")
    advice = serializers.CharField(
        help_text="When it does not fit: what would (fewer steps or a smaller model), in the request's language."
    )
    summary = serializers.CharField(
        help_text="The line a form shows: the estimate with the lab's limit, or the advice; empty before any measurement."
    )
    slowdown = serializers.FloatField(
        help_text="How much longer than at rest the least loaded worker runs now (1.0 at rest): the estimate includes it."
    )
    gpu = serializers.BooleanField(
        help_text="Whether a GPU worker is running now (device “cuda” is refused without)."
    )


@extend_schema_field(
    {"type": "object", "additionalProperties": SETTING_VALUE, "description": "Hyperparameters by name."}
)
class ParamsField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": FIGURE,
        "description": "The run's final figures by name (their words: the lab's `names`).",
    }
)
class MetricsField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"step": {"type": "integer"}, "loss": {"type": "number", "nullable": True}},
            "required": ["step"],
            "additionalProperties": FIGURE,
        },
        "description": "Every reported point: its step and the figures measured there.",
    }
)
class HistoryField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "The lab's last picture of the run (a fitted line, a decision boundary, samples, "
        "attention), under the names the lab lists in `visuals`.",
    }
)
class VisualsField(serializers.JSONField):
    pass


class JobSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    params = ParamsField(read_only=True)
    metrics = MetricsField(read_only=True)
    seconds = serializers.FloatField(read_only=True, allow_null=True)
    queue_position = serializers.SerializerMethodField()
    events_url = serializers.SerializerMethodField()
    error = serializers.CharField(
        source="error_message",
        read_only=True,
        help_text="Why the run ended badly, in the request's language; empty otherwise.",
    )
    error_code = serializers.CharField(
        read_only=True,
        help_text="The same as a stable code (`cancelled`, `time_limit`, ...); empty otherwise.",
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "owner",
            "lab",
            "params",
            "status",
            "queue",
            "device",
            "attempt",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
            "seconds",
            "metrics",
            "error",
            "error_code",
            "queue_position",
            "events_url",
        ]
        read_only_fields = fields

    def get_queue_position(self, job: Job) -> int | None:
        return Job.objects.queue_position(job)

    def get_events_url(self, job: Job) -> str:
        return f"/api/jobs/{job.pk}/events"


class JobQuerySerializer(serializers.Serializer):
    history = serializers.BooleanField(
        default=False, help_text="Include every reported point and the visuals (`history`, `visuals`)."
    )


class JobDetailSerializer(JobSerializer):
    history = HistoryField(read_only=True)
    visuals = VisualsField(read_only=True)

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "history", "visuals"]
        read_only_fields = fields


class GenerateSerializer(serializers.Serializer):
    """What a learner asks a trained GPT run to write."""

    prompt = serializers.CharField(
        max_length=MAX_PROMPT,
        trim_whitespace=False,
        help_text="The text the model continues (its characters).",
    )
    temperature = serializers.FloatField(
        default=0.8,
        min_value=0.05,
        max_value=2.0,
        help_text="Below 1: safer choices; above 1: more surprise.",
    )
    top_k = serializers.IntegerField(
        default=0, min_value=0, max_value=1000, help_text="Only the k likeliest characters; 0: all of them."
    )
    length = serializers.IntegerField(
        default=200, min_value=1, max_value=MAX_LENGTH, help_text="Characters to write."
    )
    seed = serializers.IntegerField(
        default=0, min_value=0, max_value=2**31 - 1, help_text="The same seed writes the same text."
    )


class GenerationSerializer(serializers.Serializer):
    id = serializers.CharField()
    events_url = serializers.CharField(help_text="Server-Sent Events: queued, started, text…, end.")
