"""The words a learner reads for what the labs report: metric and series keys, model variants and class names.

The training code keeps short, stable keys (`loss_relu`, `recall_minority`, `malignant`): they are the
columns of the CSV download, the keys of the API and what guided experiments read. The page shows these words
instead, in the reader's language. A key made of two known parts (`loss_none`) reads as both words joined by
a middle dot; the page composes those, so only the parts are listed here.
"""

from .lab import gettext_noop

NAMES: dict[str, str] = {
    # What is measured
    "step": gettext_noop("step"),
    "loss": gettext_noop("loss"),
    "val_loss": gettext_noop("validation loss"),
    "train_loss": gettext_noop("training loss"),
    "best_val_loss": gettext_noop("best validation loss"),
    "best_step": gettext_noop("best epoch"),
    "stopped_early": gettext_noop("stopped early"),
    "acc": gettext_noop("accuracy"),
    "accuracy": gettext_noop("accuracy"),
    "val_accuracy": gettext_noop("validation accuracy"),
    "balanced_accuracy": gettext_noop("balanced accuracy"),
    "precision": gettext_noop("precision"),
    "recall": gettext_noop("recall"),
    "f1": gettext_noop("F1 score"),
    "val_mse": gettext_noop("validation mean squared error"),
    "confusion_matrix": gettext_noop("confusion matrix"),
    "diverged_at_step": gettext_noop("diverged at step"),
    "last_finite_loss": gettext_noop("last finite loss"),
    "last_finite_step": gettext_noop("step of the last finite loss"),
    "unigram": gettext_noop("unigram baseline"),
    "bpc": gettext_noop("bits per character"),
    "val_bpc": gettext_noop("validation bits per character"),
    "best_val_bpc": gettext_noop("best validation bits per character"),
    "unigram_bpc": gettext_noop("unigram baseline (bits)"),
    "tokens_per_s": gettext_noop("tokens per second"),
    "lr": gettext_noop("learning rate"),
    "grad_first": gettext_noop("first layer's gradient norm"),
    "grad_output": gettext_noop("output layer's gradient norm"),
    "grad_norm": gettext_noop("gradient norm (before clipping)"),
    "grad_oldest": gettext_noop("gradient at the oldest input"),
    "grad_newest": gettext_noop("gradient at the newest input"),
    "w": gettext_noop("weight w"),
    "b": gettext_noop("bias b"),
    # Model variants (activations, class imbalance, rnn cells)
    "sigmoid": gettext_noop("sigmoid"),
    "tanh": gettext_noop("tanh"),
    "relu": gettext_noop("ReLU"),
    "none": gettext_noop("no correction"),
    "resample": gettext_noop("oversampling"),
    "weights": gettext_noop("class weights"),
    # Classes
    "majority": gettext_noop("majority class"),
    "minority": gettext_noop("minority class"),
    "malignant": gettext_noop("malignant"),
    "benign": gettext_noop("benign"),
    # Series of the drawings
    "target": gettext_noop("target"),
    "prediction": gettext_noop("prediction"),
    "generated": gettext_noop("generated from its own output"),
}
