"""``derive demo``: train a generated 64-32-10 network on scikit-learn's 8×8 digits."""
from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np

from derive.commands.options import add_output_options
from derive.errors import DeriveError
from derive.files import resolve_output, shown, write_bytes

NAME = "demo"
TAKES_ARCHITECTURE = False  # the demo's network is fixed: 64-32-10 tanh, softmax, cross-entropy
HELP = ("train a generated 64-32-10 network (tanh, softmax, cross-entropy, biases) on the bundled "
        "8x8 handwritten digits with plain mini-batch gradient descent")
EXAMPLE = """example:
  derive demo                              about 10 seconds; writes digits-training.png
  derive demo --epochs 40 -o curve.png

Needs scikit-learn and matplotlib: pip install 'derive[demo]' (or -e '.[demo]' in a checkout).
"""


def add_options(parser) -> None:
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training data (default 30)")
    parser.add_argument("--batch", type=int, default=32, help="mini-batch size (default 32)")
    parser.add_argument("--rate", type=float, default=0.1, help="learning rate per sample (default 0.1)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the split, the weights and the batches (0 to 2**32 - 1; default 0)")
    add_output_options(parser, "PNG", "the plot of training loss and held-out accuracy per epoch "
                       "(default digits-training.png)", required=False, default="digits-training.png")
    parser.add_argument("--quiet", action="store_true", help="only the final line")


def run(args) -> int:
    if args.epochs < 1 or args.batch < 1 or not args.rate > 0:
        raise DeriveError("--epochs and --batch must be at least 1 and --rate positive")
    if not 0 <= args.seed < 2**32:
        raise DeriveError(f"--seed {args.seed} is out of range; give a whole number from 0 to {2**32 - 1}")
    resolve_output(args.output, args.parents, create=False)  # refuse a bad -o before training
    try:
        import matplotlib
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        raise DeriveError("the demo needs scikit-learn and matplotlib: pip install 'derive[demo]' "
                          "(in a checkout: pip install -e '.[demo]')") from None
    matplotlib.use("Agg")
    module = _generated_module()
    digits = load_digits()
    X = digits.data / 16.0
    Y = np.eye(10)[digits.target]
    X_train, X_test, Y_train, Y_test = train_test_split(
        X, Y, test_size=0.2, random_state=args.seed, stratify=digits.target)
    rng = np.random.default_rng(args.seed)
    params = module.init_params(seed=args.seed)
    grads = {k: np.empty_like(v) for k, v in params.items()}
    history = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(X_train))
        total = 0.0
        for first in range(0, len(order), args.batch):
            batch = order[first:first + args.batch]
            value, _ = module.loss_and_gradients(params, X_train[batch], Y_train[batch], out=grads)
            total += value
            step = args.rate / len(batch)  # the loss is summed over the batch
            for name in params:
                params[name] -= step * grads[name]
        accuracy = float(np.mean(module.forward(params, X_test).argmax(axis=1) == Y_test.argmax(axis=1)))
        history.append((total / len(X_train), accuracy))
        if not args.quiet:
            print(f"epoch {epoch:3d}  training loss {total / len(X_train):.4f}  "
                  f"held-out accuracy {accuracy:.1%}  ({time.perf_counter() - start:.1f} s)")
    _plot(history, args.output, args.parents)
    if not args.quiet:
        print(f"plot of loss and accuracy per epoch: {shown(args.output)}")
    print(f"held-out accuracy: {history[-1][1]:.1%}")
    return 0


def _generated_module():
    """The 64-32-10 module, generated now by derive and imported from a temporary folder that
    is removed once the module is loaded."""
    import importlib.util

    from codegen import generate
    from derive.architecture import Architecture
    from derive.derivation import derive

    arch = Architecture.parse("64-32-10", activation="tanh,softmax", loss="cross-entropy", bias=True)
    source = generate(derive(arch), "matrix")
    from derive.files import guarded

    with guarded(), tempfile.TemporaryDirectory(prefix="derive-demo-") as folder:  # removed on SIGTERM too
        path = Path(folder) / "digits_64_32_10.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("digits_64_32_10", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def _plot(history, output, parents: bool = False) -> None:
    import matplotlib.pyplot as plt

    epochs = range(1, len(history) + 1)
    figure, left = plt.subplots(figsize=(7, 4), dpi=100)
    left.plot(epochs, [h[0] for h in history], color="tab:blue")
    left.set_xlabel("epoch")
    left.set_ylabel("training loss (cross-entropy per sample)", color="tab:blue")
    right = left.twinx()
    right.plot(epochs, [100 * h[1] for h in history], color="tab:green")
    right.set_ylabel("held-out accuracy (%)", color="tab:green")
    left.set_title("64-32-10 network generated by derive, 8x8 digits")
    figure.tight_layout()
    image = io.BytesIO()
    figure.savefig(image, format="png")
    plt.close(figure)
    write_bytes(output, image.getvalue(), parents=parents)
