"""A tiny GPT: a decoder-only transformer that learns to write like the course, one character at a time.

The corpus is the course itself, read from the Markdown files that ship with the platform: the lessons in
Chinese or in English, or the FAQ. Every character is a token, so Chinese and English work the same way (a
Chinese corpus has a vocabulary of a couple of thousand characters, an English one of about a hundred).
Each document is split 90/10: the first part to learn from, the end held out to measure the model.

The model follows nanoGPT (token and position embeddings, pre-norm blocks of causal self-attention and an
MLP, the output layer tied to the token embedding). Every `sample_every` steps it writes a sample from a fixed
prompt with the same random numbers each time, so only the model changes between two samples, and the
attention of every layer and head over the sample's last characters goes with it. The loss is reported in
nats and in bits per character next to the unigram baseline: what a model that knows only how often each
character occurs would score on the held-out text.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..catalog.gpt import Config
from .base import (
    LabError,
    Outcome,
    Reporter,
    gettext_noop,
    make_optimizer,
)
from .data import number

COURSE = Path(__file__).resolve().parents[2] / "courses" / "ai-large-models"
CORPORA = {  # name: (folder under the course, file pattern, the fixed prompt every sample starts from)
    "lessons-zh": ("lessons", "*.zh-hans.md", "神经网络"),
    "lessons-en": ("lessons", "*.en.md", "A neural network "),
    "faq-zh": ("faq", "*.zh-hans.md", "过拟合"),
    "faq-en": ("faq", "*.en.md", "The model "),
}
HELD_OUT = 0.1  # the end of every document
SAMPLE_LENGTH = 120  # characters written from the prompt at each sample
ATTENTION_WINDOW = 32  # the sample's last characters whose attention is drawn
EVALUATIONS = 40  # held-out losses over a run (and one at its end)
EVAL_WINDOWS = 64  # held-out windows per evaluation at least, spread evenly over the held-out text
EVAL_CHARACTERS = 4096  # characters predicted per evaluation at least: as many at context 4 as at 64
NEIGHBOUR_CHARACTERS = 6  # the most frequent letters whose nearest neighbours are shown at the end
NEIGHBOURS = 5
LN2 = math.log(2)


# --- The text -------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    """A corpus as token ids: the characters it uses (the vocabulary), the text to learn and the held-out text."""

    characters: str  # the vocabulary: token i is characters[i]
    train: torch.Tensor
    val: torch.Tensor
    prompt: str
    counts: Counter

    def encode(self, text: str) -> list[int]:
        index = {c: i for i, c in enumerate(self.characters)}
        return [index[c] for c in text]


NOT_PROSE = re.compile(
    r"^---\n.*?\n---\n"  # front matter
    r"|^```.*?^```\n?"  # code blocks
    r"|\$\$.*?\$\$"  # displayed formulas
    r"|\$[^$\n]+\$",  # formulas in a sentence
    re.DOTALL | re.MULTILINE,
)
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKUP = re.compile(r"^#+ |^!!! \w+ |^\|[-|: ]+\|$|\*+|`+|\|", re.MULTILINE)


def prose(markdown: str) -> str:
    """A lesson's sentences: without its front matter, code and formulas, which are half of the Chinese
    lessons' characters and would teach the model LaTeX instead of the language, nor Markdown's marks
    (headings, emphasis, table rules and bars); links keep their words."""
    text = MARKUP.sub("", LINK.sub(r"\1", NOT_PROSE.sub("", markdown)))
    text = re.sub(r" ?\n ?", "\n", re.sub(r"[ \t]+", " ", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n\n"


def read_documents(folder: str, pattern: str) -> list[str]:
    """The course files' prose, in file order."""
    return [prose(path.read_text(encoding="utf-8")) for path in sorted((COURSE / folder).glob(pattern))]


@functools.cache
def load_corpus(name: str) -> Corpus:
    """Read once per process: a worker's parent reads every corpus during warm-up, before it forks."""
    folder, pattern, prompt = CORPORA[name]
    documents = read_documents(folder, pattern)
    if not documents:
        raise LabError(gettext_noop("The course text for this corpus is missing on this worker."))
    cuts = [round(len(d) * (1 - HELD_OUT)) for d in documents]
    train_text = "".join(d[:cut] for d, cut in zip(documents, cuts, strict=True))
    val_text = "".join(d[cut:] for d, cut in zip(documents, cuts, strict=True))
    counts = Counter(train_text + val_text + prompt)
    characters = "".join(sorted(counts))
    index = {c: i for i, c in enumerate(characters)}
    as_ids = lambda text: torch.tensor([index[c] for c in text], dtype=torch.long)  # noqa: E731
    return Corpus(characters, as_ids(train_text), as_ids(val_text), prompt, Counter(train_text))


def unigram_loss(corpus: Corpus) -> float:
    """Nats per held-out character for a model that knows only how often each character occurs in the training
    text (add-one smoothed, so a character never seen in training costs a lot, not infinitely much)."""
    total = sum(corpus.counts.values()) + len(corpus.characters)
    log_p = torch.tensor(
        [math.log((corpus.counts.get(c, 0) + 1) / total) for c in corpus.characters], dtype=torch.float64
    )
    return -log_p[corpus.val].mean().item()


# --- The model ------------------------------------------------------------------------------------------

# The causal attention weights (batch, heads, T, T) of queries and keys (batch, heads, T, d): how a learner's
# own causal attention (a code exercise, exercises/training.py) runs inside the model, in every layer.
AttentionWeights = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class CausalSelfAttention(nn.Module):
    def __init__(self, config: Config, attention: AttentionWeights | None = None) -> None:
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.embedding_size, 3 * config.embedding_size)
        self.out = nn.Linear(config.embedding_size, config.embedding_size)
        self.dropout = config.dropout
        self.weights_of = attention

    def forward(self, x: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        batch, time_, channels = x.shape
        q, k, v = self.qkv(x).split(channels, dim=2)
        q, k, v = (
            t.view(batch, time_, self.heads, channels // self.heads).transpose(1, 2) for t in (q, k, v)
        )
        if self.weights_of is not None:  # a learner's weights; their product with v is the model's own
            weights = self.weights_of(q, k)
            if keep is not None:
                keep.append(weights)
            y = F.dropout(weights, self.dropout, self.training) @ v
        elif keep is None:
            dropout = self.dropout if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=dropout)
        else:  # written out, to keep the weights: only for a sample's attention map
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
            mask = torch.ones(time_, time_, dtype=torch.bool, device=x.device).tril()
            weights = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
            keep.append(weights)
            y = weights @ v
        return self.out(y.transpose(1, 2).reshape(batch, time_, channels))


class Block(nn.Module):
    def __init__(self, config: Config, attention: AttentionWeights | None = None) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(config.embedding_size)
        self.attention = CausalSelfAttention(config, attention)
        self.norm2 = nn.LayerNorm(config.embedding_size)
        self.mlp = nn.Sequential(
            nn.Linear(config.embedding_size, 4 * config.embedding_size),
            nn.GELU(),
            nn.Linear(4 * config.embedding_size, config.embedding_size),
            nn.Dropout(config.dropout),
        )

    def forward(self, x: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        x = x + self.attention(self.norm1(x), keep)
        return x + self.mlp(self.norm2(x))


class GPT(nn.Module):
    """A decoder-only transformer over characters. The vocabulary travels with the weights (as the code
    points of its characters), so a downloaded state_dict can be decoded without the corpus."""

    def __init__(self, config: Config, characters: str, attention: AttentionWeights | None = None) -> None:
        super().__init__()
        self.context_length = config.context_length
        size = len(characters)
        self.register_buffer("vocabulary", torch.tensor([ord(c) for c in characters], dtype=torch.int32))
        self.token_embedding = nn.Embedding(size, config.embedding_size)
        self.position_embedding = nn.Embedding(config.context_length, config.embedding_size)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config, attention) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.embedding_size)
        self.head = nn.Linear(config.embedding_size, size, bias=False)
        self.head.weight = self.token_embedding.weight  # tied: one matrix reads and writes characters
        self.apply(self._init)
        for (
            name,
            parameter,
        ) in self.named_parameters():  # GPT-2's scaled start for layers adding to the residual
            if name.endswith(("out.weight", "mlp.2.weight")):
                nn.init.normal_(parameter, std=0.02 / math.sqrt(2 * config.layers))

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    @property
    def characters(self) -> str:
        return "".join(map(chr, self.vocabulary.tolist()))

    def forward(self, ids: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.token_embedding(ids) + self.position_embedding(positions))
        for block in self.blocks:
            x = block(x, keep)
        return self.head(self.norm(x))


def loss_of(model: GPT, windows: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats) of predicting each window's characters from the ones before them."""
    logits = model(windows[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1))


@torch.no_grad()
def write(
    model: GPT,
    prompt: list[int],
    length: int,
    *,
    temperature: float = 1.0,
    top_k: int = 0,
    generator: torch.Generator | None = None,
) -> Iterator[int]:
    """Token ids one at a time after `prompt`. Random numbers come from `generator` (on the CPU), so a given
    seed writes the same text on any device."""
    was_training = model.training
    model.eval()
    device = model.vocabulary.device
    ids = torch.tensor([prompt], dtype=torch.long, device=device)
    try:
        for _ in range(length):
            logits = model(ids[:, -model.context_length :])[0, -1].float() / temperature
            if 0 < top_k < logits.numel():
                threshold = torch.topk(logits, top_k).values[-1]
                logits = logits.masked_fill(logits < threshold, float("-inf"))
            probabilities = logits.softmax(dim=-1).cpu()
            token = torch.multinomial(probabilities, 1, generator=generator).item()
            ids = torch.cat([ids, torch.tensor([[token]], device=device)], dim=1)
            yield token
    finally:
        model.train(was_training)


def build_model(config: Config, state_dict: dict[str, torch.Tensor]) -> GPT:
    """A trained model from a job's hyperparameters and stored weights (for generation after training)."""
    characters = "".join(map(chr, state_dict["vocabulary"].tolist()))
    model = GPT(config, characters)
    model.load_state_dict(state_dict)
    return model.eval()


# --- What the page draws --------------------------------------------------------------------------------


@torch.no_grad()
def sample_frame(model: GPT, corpus: Corpus, step: int, config: Config) -> tuple[dict, dict]:
    """A sample from the fixed prompt, with the same random numbers at every step, and the attention of
    every layer and head over its last characters: (the sample, its attention)."""
    prompt = corpus.encode(corpus.prompt)
    generator = torch.Generator().manual_seed(config.seed)
    written = list(
        write(model, prompt, SAMPLE_LENGTH, temperature=config.sample_temperature, generator=generator)
    )
    text = corpus.prompt + "".join(corpus.characters[i] for i in written)
    ids = (prompt + written)[-min(ATTENTION_WINDOW, model.context_length) :]
    kept: list[torch.Tensor] = []
    model.eval()
    model(torch.tensor([ids], device=model.vocabulary.device), kept)
    model.train()
    # Percentages, row by row over the causal (lower) triangle: row i has i + 1 numbers.
    layers = [
        [[row[: i + 1] for i, row in enumerate(head)] for head in (weights[0] * 100).round().int().tolist()]
        for weights in kept
    ]
    attention = {"step": step, "characters": [corpus.characters[i] for i in ids], "layers": layers}
    return {"step": step, "prompt": corpus.prompt, "text": text}, attention


@torch.no_grad()
def neighbours(model: GPT, corpus: Corpus) -> list[dict]:
    """The characters whose learned embeddings point the most nearly the same way (cosine similarity) as
    those of the most frequent letters of the corpus."""
    vectors = F.normalize(model.token_embedding.weight.float(), dim=1)
    letters = [c for c, _ in corpus.counts.most_common() if c.isalpha()][:NEIGHBOUR_CHARACTERS]
    found = []
    for letter in letters:
        i = corpus.characters.index(letter)
        similarity = vectors @ vectors[i]
        similarity[i] = -2  # not itself
        best = similarity.topk(min(NEIGHBOURS, len(similarity) - 1))
        found.append(
            {
                "character": letter,
                "neighbours": [
                    [corpus.characters[j], round(s, 3)]
                    for j, s in zip(best.indices.tolist(), best.values.tolist(), strict=True)
                ],
            }
        )
    return found


# --- Training -------------------------------------------------------------------------------------------


def learning_rate(config: Config, step: int) -> float:
    """Linear warm-up to the peak, then a cosine down to a tenth of it at the last step."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    span = max(1, config.steps - 1 - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / span)
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def val_windows(corpus: Corpus, length: int) -> torch.Tensor:
    """Held-out windows of `length` + 1 characters, spread evenly: the same ones at every evaluation, so the
    curve moves only because the model does. Enough windows to predict EVAL_CHARACTERS characters (and at
    least EVAL_WINDOWS), as far as the text allows, so that two runs with different context lengths are
    measured on about as many characters, not a short context on a sixteenth of them."""
    if len(corpus.val) < length + 1 or len(corpus.train) < length + 1:
        raise LabError(gettext_noop("The context length is longer than this text allows."))
    wanted = max(EVAL_WINDOWS, EVAL_CHARACTERS // length)
    starts = torch.linspace(0, len(corpus.val) - length - 1, min(wanted, len(corpus.val) // length))
    return torch.stack([corpus.val[s : s + length + 1] for s in starts.long().tolist()])


@torch.no_grad()
def evaluate(model: GPT, windows: torch.Tensor, autocast: torch.autocast) -> torch.Tensor:
    model.eval()
    with autocast:
        loss = loss_of(model, windows)
    model.train()
    return loss.float()


def elapsed(since: float, device: torch.device) -> float:
    """Seconds of training since `since`. On a GPU the queued work is waited for first (a sync at each
    evaluation and sample, never at every step), so the speed is that of work done, not of work queued."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - since


def optimizer_for(config: Config, model: GPT, device: torch.device) -> torch.optim.Optimizer:
    if config.optimizer == "adam":  # as nanoGPT: AdamW (decoupled weight decay) with a shorter memory
        return torch.optim.AdamW(
            model.parameters(),
            lr=config.learning_rate,
            betas=(0.9, 0.99),
            weight_decay=0.1,
            fused=device.type == "cuda",
        )
    return make_optimizer(config.optimizer, model.parameters(), config.learning_rate)


def evaluation(
    model: GPT,
    held_out: torch.Tensor,
    autocast: torch.autocast,
    window_losses: list[torch.Tensor],
    tokens: int,
    spent: float,
) -> dict:
    """What an evaluation reports: the held-out loss, both in bits per character, the training loss averaged
    since the last evaluation (smoother than one step's), and the speed so far."""
    val_loss = evaluate(model, held_out, autocast)
    train_loss = torch.stack(window_losses).mean()
    return {
        "val_loss": val_loss,
        "bpc": train_loss / LN2,
        "val_bpc": val_loss / LN2,
        "tokens_per_s": round(tokens / spent) if spent > 0 else None,
    }


def train(
    config: Config, report: Reporter, device: torch.device, attention: AttentionWeights | None = None
) -> Outcome:
    """`attention`: a learner's causal attention, which then gives the weights of every layer's attention,
    in training, evaluation and samples alike (exercises/training.py)."""
    torch.manual_seed(config.seed)
    corpus = load_corpus(config.corpus)
    generator = torch.Generator().manual_seed(config.seed)  # the batches' positions
    held_out = val_windows(corpus, config.context_length).to(device)
    train_ids = corpus.train.to(device)
    model = GPT(config, corpus.characters, attention).to(device)
    optimizer = optimizer_for(config, model, device)
    # bfloat16 on a GPU (about twice the speed, no loss scaling needed); full precision on a CPU.
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    baseline = unigram_loss(corpus)
    reference = {"unigram": round(baseline, 4), "unigram_bpc": round(baseline / LN2, 4)}
    offsets = torch.arange(config.context_length + 1)
    eval_every = max(5, config.steps // EVALUATIONS)
    samples: list[dict] = []
    attention: dict = {}
    window_losses: list[torch.Tensor] = []
    clock, tokens, spent = time.perf_counter(), 0, 0.0  # spent: seconds of training, without evaluations
    last = config.steps - 1
    best = math.inf  # the lowest held-out loss of the run's evaluations: where overfitting began

    start = 0
    if (saved := report.resume()) is not None:  # a run that another worker began, from its checkpoint
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        generator.set_state(saved["generator"])
        samples, tokens, spent, start = saved["samples"], saved["tokens"], saved["spent"], saved["step"] + 1
        best = saved.get("best", best)

    model.train()
    for step in range(start, config.steps):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(config, step)
        starts = torch.randint(
            len(train_ids) - config.context_length - 1, (config.batch_size,), generator=generator
        )
        windows = train_ids[(starts[:, None] + offsets).to(device)]
        with autocast:
            loss = loss_of(model, windows)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        tokens += windows[:, 1:].numel()
        window_losses.append(loss.detach())
        scalars: dict = {"loss": loss, "lr": group["lr"]}
        if step % eval_every == 0 or step == last:
            spent += elapsed(clock, device)
            scalars |= evaluation(model, held_out, autocast, window_losses, tokens, spent) | reference
            best = min(best, scalars["val_loss"].item())
            window_losses = []
            clock = time.perf_counter()
        report(step, **scalars)
        if step % config.sample_every == 0 or step == last:
            spent += elapsed(clock, device)
            sample, attention = sample_frame(model, corpus, step, config)
            samples.append(sample)
            report.flush({"samples": samples, "attention": attention})  # every sample reaches the page
            clock = time.perf_counter()
        if step < last:
            report.checkpoint(step, lambda t=tokens, s=spent, b=best: {"model": model.state_dict(), "tokens": t,
                              "spent": s, "best": b,
                              "optimizer": optimizer.state_dict(), "generator": generator.get_state(),
                              "samples": list(samples)})  # fmt: skip

    final_loss = evaluate(model, held_out, autocast).item()
    visuals = {"samples": samples, "attention": attention, "neighbours": neighbours(model, corpus)}
    report.flush(visuals)
    return Outcome(
        metrics={
            "val_loss": number(final_loss, 4),
            "val_bpc": number(final_loss / LN2, 4),
            "best_val_bpc": number(min(best, final_loss) / LN2, 4),
            "unigram_bpc": reference["unigram_bpc"],
            "tokens_per_s": round(tokens / spent) if spent > 0 else None,
            "vocabulary": len(corpus.characters),
            "parameters": sum(p.numel() for p in model.parameters()),
        },
        model=model,
        visuals=visuals,
    )
