"""Command-line tools. `tools/<name>.py` in the repository and the `sketchgen <name>`
console script both go through `run`, which prints the library's own errors as one
line naming the file, key or value at fault (exit code 2); `--debug` shows the
traceback instead."""
from __future__ import annotations

import importlib
import os
import sys

TOOLS = ('train', 'test', 'infer', 'benchmark', 'make_sketches', 'compare', 'hints_study',
         'cartoon_eval', 'simplify', 'make_rough', 'simplification_eval', 'export_model',
         'reference_study', 'show_rois', 'inpaint', 'roi_sliders',
         'roi_eval', 'download', 'list_models', 'zoo_table', 'convert', 'colourise', 'translate',
         'cartoonise', 'demo', 'publish_model')
USAGE_ERROR = 2


def add_model_options(parser, fast_path: bool = True) -> None:
    """The options of every tool that loads a checkpoint: --trust-imports and, for the
    tools that run the model, the inference fast path (--amp, --channels-last,
    --winograd-convs)."""
    if fast_path:
        parser.add_argument('--amp', choices=['no', 'fp16', 'bf16', 'auto'], default='no',
                            help='mixed-precision inference; auto = bf16 where the CPU '
                                 '(AVX-512 BF16, AMX) or GPU computes it natively')
        parser.add_argument('--channels-last', action='store_true', help='NHWC inference')
        parser.add_argument('--winograd-convs', action='store_true',
                            help='wide 3x3 convolutions on large maps as Winograd F(4x4, 3x3) '
                                 'in fp32 on CPU (faster for CycleGAN; docs/benchmarks.md)')
    parser.add_argument('--trust-imports', action='store_true',
                        help="import the modules the checkpoint's config lists in "
                             'custom_imports (a checkpoint is untrusted input)')


def add_ema_option(parser) -> None:
    """--no-ema, for the evaluation tools: score the generator the optimiser updated
    rather than its moving average, where a checkpoint holds both."""
    parser.add_argument('--no-ema', action='store_true',
                        help='a model trained with ema_decay: evaluate the online generator, '
                             'not the moving average that inference uses by default')


def user_errors() -> tuple[type, ...]:
    """Errors that describe bad input (a file, a config key, a value), not a bug."""
    from sketchgen.checkpoint import CheckpointError, CheckpointMismatchError
    from sketchgen.config import ConfigError
    from sketchgen.data.io import ImageLoadError
    from sketchgen.weights import MissingWeightsError
    # ImportError: an optional package a feature needs; its message says how to install it.
    return (ConfigError, CheckpointError, CheckpointMismatchError, ImageLoadError,
            MissingWeightsError, OSError, ValueError, KeyError, TypeError, ImportError)


def run(name: str, argv: list[str] | None = None) -> int:
    """Run tool `name` with `argv` (default: sys.argv[1:])."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = '--debug' in argv or os.environ.get('SKETCHGEN_DEBUG') == '1'
    argv = [a for a in argv if a != '--debug']
    tool = importlib.import_module(f'sketchgen.tools.{name}')
    if debug:
        return tool.main(argv)
    try:
        return tool.main(argv)
    except KeyboardInterrupt:
        print('Interrupted.', file=sys.stderr)
        return 130
    except SystemExit as exit_:
        if isinstance(exit_.code, str):  # a tool's own one-line refusal
            print(f'error: {exit_.code}', file=sys.stderr)
            return USAGE_ERROR
        raise
    except Exception as err:
        # The trainer's stops can only come from a tool that imported it.
        trainer = sys.modules.get('sketchgen.engine.trainer')
        if trainer is not None and isinstance(err, trainer.TrainingInterrupted):
            print(err, file=sys.stderr)
            return 128 + err.signum
        known = user_errors() + ((trainer.NonFiniteLossError,) if trainer else ())
        if not isinstance(err, known):
            raise
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f'error: {message}\n(run with --debug for the traceback)', file=sys.stderr)
        return USAGE_ERROR
