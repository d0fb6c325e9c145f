"""A tiny GPT: the lab's settings and what its page shows (its training: trainer/labs/gpt.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .lab import (
    Chart,
    Cost,
    Lab,
    batch_size_choice,
    device_choice,
    gettext_noop,
    hyperparameter,
    learning_rate_choice,
    optimizer_choice,
    seed_choice,
    steps_choice,
)

# The larger model the page offers with device=cuda (nanoGPT's Shakespeare-character settings, shorter).
CUDA_PRESET = {
    "context_length": 256,
    "layers": 6,
    "heads": 6,
    "embedding_size": 384,
    "dropout": 0.2,
    "learning_rate": 0.001,
    "warmup_steps": 100,
    "steps": 3000,
    "batch_size": 64,
    "sample_every": 250,
}


@dataclass
class Config:
    corpus: str = hyperparameter(
        "lessons-zh",
        label=gettext_noop("Text to learn"),
        help=gettext_noop(
            "The course's own text. Chinese has thousands of different characters, English about a hundred; "
            "the FAQ is small enough to learn by heart."
        ),
        choices=(
            ("lessons-zh", gettext_noop("The lessons, in Chinese")),
            ("lessons-en", gettext_noop("The lessons, in English")),
            ("faq-zh", gettext_noop("The FAQ, in Chinese")),
            ("faq-en", gettext_noop("The FAQ, in English")),
        ),
        by_language={"en": "lessons-en"},  # the text of the page's language, unless the learner picks another
    )
    context_length: int = hyperparameter(
        64,
        label=gettext_noop("Context length"),
        help=gettext_noop("How many previous characters the model can look at to predict the next one."),
        minimum=4,
        maximum=256,
    )
    layers: int = hyperparameter(
        2,
        label=gettext_noop("Layers"),
        help=gettext_noop("Transformer blocks, each an attention step followed by a small MLP."),
        minimum=1,
        maximum=8,
    )
    heads: int = hyperparameter(
        4,
        label=gettext_noop("Attention heads"),
        help=gettext_noop(
            "Attention patterns per layer, each looking for something different. The embedding size must be "
            "a multiple of it."
        ),
        minimum=1,
        maximum=8,
    )
    embedding_size: int = hyperparameter(
        128,
        label=gettext_noop("Embedding size"),
        help=gettext_noop("Numbers that represent each character and each position inside the model."),
        minimum=16,
        maximum=384,  # the GPU default; more would not fit the time limit on a CPU
    )
    dropout: float = hyperparameter(
        0.0,
        label=gettext_noop("Dropout"),
        help=gettext_noop(
            "Share of activations set to zero at random while training: it fights overfitting on a small "
            "text, and slows learning on a large one."
        ),
        minimum=0.0,
        maximum=0.5,
    )
    learning_rate: float = learning_rate_choice(
        0.003,
        maximum=0.03,
        help=gettext_noop(
            "The peak step size of AdamW, reached after the warm-up and then lowered along a cosine to a "
            "tenth of it by the last step."
        ),
        minimum=0.00001,
    )
    warmup_steps: int = hyperparameter(
        30,
        label=gettext_noop("Warm-up steps"),
        help=gettext_noop(
            "Steps over which the learning rate rises from zero: early gradients are large and noisy."
        ),
        minimum=0,
        maximum=2000,
    )
    # what fits the time limit on a 2-core CPU at the defaults
    steps: int = steps_choice(
        500, maximum=4000, help=gettext_noop("Gradient steps, each on one batch of text windows.")
    )
    batch_size: int = batch_size_choice(24, maximum=128, help=gettext_noop("Text windows per step."))
    sample_every: int = hyperparameter(
        50,
        label=gettext_noop("Sample every"),
        help=gettext_noop("Steps between two samples of text written from the same prompt."),
        minimum=1,
        maximum=5000,
    )
    sample_temperature: float = hyperparameter(
        0.8,
        label=gettext_noop("Sample temperature"),
        help=gettext_noop(
            "How boldly the samples are drawn: low repeats the likeliest characters, high picks unlikely ones "
            "too. It changes only the samples, never the training."
        ),
        minimum=0.05,
        maximum=2.0,
    )
    optimizer: str = optimizer_choice("adam")
    seed: int = seed_choice()
    device: str = device_choice()

    def problems(self) -> dict[str, tuple[str, dict]]:
        """Values that are each in range but do not fit together: field -> (message, its parameters)."""
        if self.embedding_size % self.heads:
            return {
                "embedding_size": (
                    gettext_noop("The embedding size must be a multiple of the number of heads (%(heads)d)."),
                    {"heads": self.heads},
                )
            }
        return {}


LAB = Lab(
    slug="gpt",
    title=gettext_noop("A tiny GPT"),
    summary=gettext_noop(
        "Train a small transformer on the course's own text, one character at a time, and watch its writing "
        "turn from noise into words; then give it a prompt and let it write."
    ),
    config=Config,
    module="trainer.labs.gpt",
    steps_field="steps",
    charts=(
        Chart(gettext_noop("Loss (nats per character)"), ("loss", "val_loss", "unigram")),
        Chart(gettext_noop("Bits per character"), ("bpc", "val_bpc", "unigram_bpc")),
        Chart(gettext_noop("Training speed (tokens per second)"), ("tokens_per_s",)),
        Chart(gettext_noop("Learning rate: warm-up, then cosine decay"), ("lr",)),
    ),
    visuals=("samples", "attention", "neighbours"),
    time_limit_s=600,
    # A step's work grows with the tokens in a batch and, per token, with layers × embedding² (the
    # projections and the feed-forward network); the attention's context² part is left in the margin.
    cost=Cost(
        sizes=("batch_size", "context_length", "layers", "embedding_size", "embedding_size"), fixed=0.1
    ),
    presets={"cuda": CUDA_PRESET},
)
