from sketchgen.evaluation.evaluator import build_metrics, evaluate
from sketchgen.evaluation.metrics import L1, PSNR, SSIM, Metric

__all__ = ['build_metrics', 'evaluate', 'L1', 'PSNR', 'SSIM', 'Metric']
