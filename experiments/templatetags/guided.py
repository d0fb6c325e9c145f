"""`{% lab_experiments lab %}`: a lab page's guided experiments, with the learner's status in each. A template
tag, so the trainer app (below experiments) needs no import of this one."""

from django import template

from ..selectors import experiments, with_status

register = template.Library()


@register.inclusion_tag("experiments/_lab_experiments.html", takes_context=True)
def lab_experiments(context: template.Context, lab) -> dict:
    user = context["request"].user
    return {"experiments": with_status(user, experiments().filter(lab=lab.slug)), "lab": lab}


@register.inclusion_tag("experiments/_status.html")
def experiment_status(experiment) -> dict:
    return {"status": experiment.status}
