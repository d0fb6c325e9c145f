"""The fields that exist once per language (django-modeltranslation adds `<field>_zh_hans`, `<field>_en`)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Experiment


@register(Experiment)
class ExperimentTranslation(TranslationOptions):
    fields = (
        "title",
        "predict",
        "choices",
        "ask",
        "instructions_md",
        "instructions_html",
        "explanation_md",
        "explanation_html",
    )
